import { hostname } from "node:os";
import type { Config } from "../config/index.js";
import { redactUrl } from "../core/index.js";
import { checkRunEnd, openRunQueue, requeueRun, runWorker } from "../library/index.js";
import { storedResultCounts } from "../store/index.js";
import type { Stores } from "./open-store.js";
import type { Output } from "./output.js";
import { queueOptions } from "./queue-options.js";

/**
 * `medsafety run` on a PostgreSQL store, once the run is recorded with its jobs (run-session.ts): a resumed run's
 * unfinished conversations are queued again; then, unless `--no-work`, this process works on the run's jobs with the
 * same loop as `medsafety worker`, showing progress over every worker (read from the store), until the queue is
 * drained and the end-of-run check has run. Ctrl-C cancels the run for every worker, as it cancels a SQLite run.
 */
export interface QueuedRunOptions {
  readonly store: string;
  readonly runId: string;
  readonly config: Config;
  readonly resumed: boolean;
  readonly retryErrors: boolean;
  readonly work: boolean;
  readonly concurrency?: number;
  readonly progress: boolean;
  readonly progressIntervalMs: number;
  readonly stop: AbortSignal;
  readonly abort: AbortSignal;
}

export type QueuedRunEnd =
  | { readonly queued: true }
  | { readonly queued: false; readonly status: "success" | "cancelled" };

export async function workQueuedRun(stores: Stores, options: QueuedRunOptions, output: Output): Promise<QueuedRunEnd> {
  const targetIds = options.config.targets.map((target) => target.id);
  if (options.resumed) {
    stores.runs.setStatus(options.runId, "started");
    const queue = await openRunQueue(options.store, options.runId, targetIds, queueOptions());
    try {
      const { active } = await requeueRun(queue, stores.db, options.runId, options.config.targets, {
        retryErrors: options.retryErrors,
      });
      if (active > 0)
        output.err(
          `medsafety: ${active} conversations of run ${options.runId} were still held by workers (killed, or still on them): queued again now, not after their expiry; results are stored once either way.`,
        );
    } finally {
      await queue.stop({ graceful: false });
    }
  }
  if (!options.work) {
    output.err(
      `medsafety: the run's conversations are queued in ${redactUrl(options.store)}; start workers on any machine: npx medsafety worker --store <url>`,
    );
    return { queued: true };
  }
  const stopProgress = options.progress ? progressLines(stores, options, output) : () => undefined;
  try {
    await runWorker({
      store: options.store,
      env: process.env,
      host: hostname(),
      pid: process.pid,
      runIds: [options.runId],
      exit: "runs-end",
      concurrency: options.concurrency ?? options.config.concurrency,
      signal: options.stop,
      abortSignal: options.abort,
      onNotice: (line) => output.err(`medsafety: ${line}`),
      ...queueOptions(),
    });
  } finally {
    stopProgress();
  }
  if (options.stop.aborted || stores.runs.get(options.runId)?.status === "cancelled") {
    await cancelQueuedRun(stores, options.store, options.runId, targetIds);
    return { queued: false, status: "cancelled" };
  }
  checkRunEnd(stores, options.runId, options.config, "success");
  return { queued: false, status: "success" };
}

/** Marks a run cancelled and removes its waiting jobs: every worker drops it (`runs cancel`, Ctrl-C of `run`). */
export async function cancelQueuedRun(
  stores: Pick<Stores, "runs">,
  store: string,
  runId: string,
  targetIds: readonly string[],
): Promise<void> {
  stores.runs.setStatus(runId, "cancelled");
  const queue = await openRunQueue(store, runId, targetIds);
  try {
    await queue.cancelRun(runId, targetIds);
  } finally {
    await queue.stop({ graceful: false });
  }
}

/** A line every interval with the results stored so far by every worker, against the run's planned calls. */
function progressLines(stores: Stores, options: QueuedRunOptions, output: Output): () => void {
  const turns = stores.items.turnTotal(options.runId) * options.config.targets.length;
  const judgments = turns * options.config.judges.length;
  const timer = setInterval(() => {
    const stored = storedResultCounts(stores.db, options.runId);
    output.err(`progress (all workers): turns ${stored.turns}/${turns}, judgments ${stored.judgments}/${judgments}`);
  }, options.progressIntervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
