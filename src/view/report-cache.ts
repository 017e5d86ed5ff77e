/**
 * Reports of runs, computed once in the background and kept in memory per run: a page asks, and gets the report or
 * "computing" at once. In the built package the report runs in a worker thread (report-job.js), so a report of
 * millions of judgments (~25 s) never blocks the server; from the TypeScript sources (tests) it runs in-process.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { errorMessage, isPostgresUrl, WorkerJobs } from "../core/index.js";
import { connectionLocation, type Db } from "../store/index.js";
import { type ReportJob, type ReportPages, renderRunReport } from "./report-render.js";

export type ReportState =
  | { readonly state: "ready"; readonly pages: ReportPages }
  | { readonly state: "computing"; readonly since: number }
  | { readonly state: "failed"; readonly message: string };

export class ReportCache {
  private readonly entries = new Map<string, ReportState>();
  private readonly threads = new Set<WorkerJobs<ReportJob, ReportPages>>();
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
      (error: unknown) => this.entries.set(runId, { state: "failed", message: errorMessage(error) }),
    );
    return computing;
  }

  /** Stops reports still computing. */
  async close(): Promise<void> {
    await Promise.all([...this.threads].map((thread) => thread.close()));
  }

  private async compute(runId: string): Promise<ReportPages> {
    // A report thread opens its own connection: to the same file, or to the same PostgreSQL store.
    const location = connectionLocation(this.db);
    const reachable = !this.db.memory && (isPostgresUrl(location) || existsSync(this.storePath));
    if (!reachable || !existsSync(this.jobFile)) return renderRunReport({ storePath: location, runId }, this.db);
    // One thread per report (the core worker-jobs harness), stopped when it is done: a report's memory goes with it.
    const thread = new WorkerJobs<ReportJob, ReportPages>(this.jobFile, { size: 1, label: "the report thread" });
    this.threads.add(thread);
    try {
      return await thread.run({ storePath: location, runId });
    } finally {
      this.threads.delete(thread);
      await thread.close();
    }
  }
}
