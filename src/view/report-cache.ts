/**
 * Reports of runs, computed once in the background and kept in memory per run: a page asks, and gets the report or
 * "computing" at once. In the built package the report runs in a worker thread (report-job.js), so a report of
 * millions of judgments (~25 s) never blocks the server; from the TypeScript sources (tests) it runs in-process.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Db } from "../store/index.js";
import { type ReportPages, renderRunReport } from "./report-render.js";

export type ReportState =
  | { readonly state: "ready"; readonly pages: ReportPages }
  | { readonly state: "computing"; readonly since: number }
  | { readonly state: "failed"; readonly message: string };

export class ReportCache {
  private readonly entries = new Map<string, ReportState>();
  private readonly workers = new Set<Worker>();
  private readonly jobFile = fileURLToPath(new URL("./report-job.js", import.meta.url));

  constructor(
    private readonly db: Db,
    private readonly storePath: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The run's report, starting its computation on first ask. */
  get(runId: string): ReportState {
    const entry = this.entries.get(runId);
    if (entry !== undefined) return entry;
    const computing: ReportState = { state: "computing", since: this.now() };
    this.entries.set(runId, computing);
    void this.compute(runId).then(
      (pages) => this.entries.set(runId, { state: "ready", pages }),
      (error: unknown) =>
        this.entries.set(runId, { state: "failed", message: error instanceof Error ? error.message : String(error) }),
    );
    return computing;
  }

  /** Stops reports still computing. */
  async close(): Promise<void> {
    await Promise.all([...this.workers].map((worker) => worker.terminate()));
  }

  private compute(runId: string): Promise<ReportPages> {
    const onDisk = !this.db.memory && existsSync(this.storePath);
    if (!onDisk || !existsSync(this.jobFile)) return renderRunReport({ storePath: this.storePath, runId }, this.db);
    return new Promise((resolve, reject) => {
      const worker = new Worker(this.jobFile, { workerData: { storePath: this.storePath, runId } });
      this.workers.add(worker);
      let settled = false;
      worker.on("message", (message: { type: "done"; pages: ReportPages } | { type: "failed"; message: string }) => {
        settled = true;
        if (message.type === "done") resolve(message.pages);
        else reject(new Error(message.message));
        void worker.terminate();
      });
      worker.on("error", (error) => {
        settled = true;
        reject(error);
      });
      worker.on("exit", (code) => {
        this.workers.delete(worker);
        if (!settled) reject(new Error(`the report thread stopped (exit code ${code})`));
      });
    });
  }
}
