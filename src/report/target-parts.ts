import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { Histogram } from "../analysis/index.js";
import type { Db, RunRecord } from "../store/index.js";
import { computeTargetPart, type TargetPart, type TargetPartOptions } from "./target-part.js";
import {
  itemIndex,
  loadTarget,
  type TargetColumn,
  type TargetConfig,
  type TurnItems,
  type TurnTable,
  targetConfigsOf,
} from "./turn-table.js";

/** Below this many turn cells (items × targets × turns) a report runs in one thread: starting threads costs more. */
export const THREADED_CELLS = 300_000;

/** Report threads by default: one per core, at most 8. */
export function defaultReportThreads(): number {
  return Math.max(1, Math.min(availableParallelism(), 8));
}

export interface LoadedTargets {
  readonly table: TurnTable;
  /** In the run config's target order. */
  readonly parts: readonly TargetPart[];
}

/**
 * Loads every target's column and computes its per-target statistics: in this thread, or, given `threads` > 1
 * and a store on disk, in worker threads that each open the store read-only and take the next target as they
 * finish one (targets are independent, and every bootstrap interval is seeded by its own key, so the result is
 * the same whichever thread computes it).
 */
export async function loadTargets(
  db: Db,
  run: RunRecord,
  items: TurnItems,
  options: TargetPartOptions,
  threads: number,
): Promise<LoadedTargets> {
  const targets = targetConfigsOf(run);
  const onDisk = !db.memory && db.name !== "" && db.name !== ":memory:";
  const computed =
    threads > 1 && targets.length > 1 && onDisk
      ? await computeInWorkers(db.name, run.id, items, targets, options, Math.min(threads, targets.length))
      : computeHere(db, run.id, items, targets, options);
  return {
    table: { ...items, targets: computed.map(({ column }) => column) },
    parts: computed.map(({ part }) => part),
  };
}

interface Computed {
  readonly column: TargetColumn;
  readonly part: TargetPart;
}

function computeHere(
  db: Db,
  runId: string,
  items: TurnItems,
  targets: readonly TargetConfig[],
  options: TargetPartOptions,
): Computed[] {
  const index = itemIndex(items);
  return targets.map((target) => {
    const column = loadTarget(db, runId, target, index, items.turns, items.judges, options);
    return { column, part: computeTargetPart({ ...items, targets: [column] }, column, options) };
  });
}

/** What the main thread sends a report thread. */
export type ReportWorkerCommand =
  | {
      readonly type: "init";
      readonly storePath: string;
      readonly runId: string;
      readonly items: TurnItems;
      readonly options: TargetPartOptions;
    }
  | { readonly type: "target"; readonly position: number; readonly target: TargetConfig };

/** What a report thread answers: one target done (its histogram as plain arrays), or its failure. */
export type ReportWorkerReply =
  | { readonly type: "done"; readonly position: number; readonly column: TargetColumn; readonly part: TargetPart }
  | { readonly type: "failed"; readonly message: string; readonly stack: string | undefined };

function computeInWorkers(
  storePath: string,
  runId: string,
  items: TurnItems,
  targets: readonly TargetConfig[],
  options: TargetPartOptions,
  threads: number,
): Promise<Computed[]> {
  return new Promise((resolve, reject) => {
    const results: Array<Computed | undefined> = targets.map(() => undefined);
    const workers: Worker[] = [];
    let next = 0;
    let done = 0;
    let settled = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      for (const worker of workers) void worker.terminate();
      if (error === undefined) resolve(results as Computed[]);
      else reject(error);
    };
    const assign = (worker: Worker): void => {
      const position = next;
      const target = targets[position];
      if (target === undefined) return;
      next += 1;
      worker.postMessage({ type: "target", position, target } satisfies ReportWorkerCommand);
    };
    for (let count = 0; count < threads; count += 1) {
      const worker = new Worker(new URL("./report-worker.js", import.meta.url));
      workers.push(worker);
      worker.on("message", (reply: ReportWorkerReply) => {
        if (reply.type === "failed") {
          const error = new Error(`a report thread failed: ${reply.message}`);
          if (reply.stack !== undefined) error.stack = reply.stack;
          finish(error);
          return;
        }
        results[reply.position] = { column: reply.column, part: revivePart(reply.part) };
        done += 1;
        if (done === targets.length) finish();
        else assign(worker);
      });
      worker.on("error", (error) => finish(error));
      worker.on("exit", (code) => {
        if (!settled && code !== 0)
          finish(new Error(`a report thread stopped with exit code ${code} before finishing`));
      });
      worker.postMessage({ type: "init", storePath, runId, items, options } satisfies ReportWorkerCommand);
      assign(worker);
    }
  });
}

/** Structured cloning keeps a Histogram's arrays but not its class: rebuild it. */
function revivePart(part: TargetPart): TargetPart {
  const { values, counts } = part.overall.conversationScores;
  return { ...part, overall: { ...part.overall, conversationScores: Histogram.fromSorted(values, counts) } };
}

/** The buffers of a computed target, moved (not copied) to the main thread. */
export function transferablesOf(column: TargetColumn, part: TargetPart): ArrayBuffer[] {
  const arrays = [
    column.scores,
    column.states,
    column.conversationScores,
    ...column.judgeScores,
    column.reviews.cells,
    column.reviews.scores,
    part.overall.conversationScores.values,
    part.overall.conversationScores.counts,
  ];
  if (part.overall.bootstrapMeans !== null) arrays.push(part.overall.bootstrapMeans);
  return [...new Set(arrays.map((array) => array.buffer as ArrayBuffer))];
}
