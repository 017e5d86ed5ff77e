import { availableParallelism } from "node:os";
import { Histogram } from "../../analysis/index.js";
import { MedsafetyError, WorkerJobs } from "../../core/index.js";
import { connectionLocation, type Db, type RunRecord } from "../../store/index.js";
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
  snapshot?: string,
): Promise<LoadedTargets> {
  const targets = targetConfigsOf(run);
  const onDisk = !db.memory && db.name !== "" && db.name !== ":memory:";
  const session = {
    storePath: connectionLocation(db),
    runId: run.id,
    items,
    options,
    ...(snapshot === undefined ? {} : { snapshot }),
  };
  const computed =
    threads > 1 && targets.length > 1 && onDisk
      ? await computeInWorkers(session, targets, Math.min(threads, targets.length))
      : computeHere(db, run.id, items, targets, options);
  return {
    table: { ...items, targets: computed.map(({ column }) => column) },
    parts: computed.map(({ part }) => part),
  };
}

/** One target's column and statistics, as a report thread answers them. */
export interface Computed {
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
    const column = loadTarget(db, runId, target, index, items.turns, items.judges, options, items.epochs);
    return { column, part: computeTargetPart({ ...items, targets: [column] }, column, options) };
  });
}

/** What every report thread gets at its start (`workerData`): the run, its items and the report's options. */
export interface ReportSession {
  /** The store's location with what opens it (a PostgreSQL URL keeps its password: it never leaves the process). */
  readonly storePath: string;
  /** The PostgreSQL snapshot the main connection reads, so every thread reads the same state. */
  readonly snapshot?: string;
  readonly runId: string;
  readonly items: TurnItems;
  readonly options: TargetPartOptions;
}

/**
 * One job per target in report threads (report-worker.ts, through the core worker-jobs harness): each thread takes
 * the next target when it has finished one. The first failure stops the others; a failure that is not the project's
 * own says it came from a report thread (store-errors.ts reads SQLite's message after that prefix).
 */
async function computeInWorkers(
  session: ReportSession,
  targets: readonly TargetConfig[],
  threads: number,
): Promise<Computed[]> {
  const jobs = new WorkerJobs<TargetConfig, Computed>(new URL("./report-worker.js", import.meta.url), {
    size: threads,
    label: "a report thread",
    jobsPerThread: 1,
    workerData: session,
  });
  try {
    const computed = await Promise.all(targets.map((target) => jobs.run(target)));
    return computed.map(({ column, part }) => ({ column, part: revivePart(part) }));
  } catch (error) {
    throw reportThreadError(error);
  } finally {
    await jobs.close();
  }
}

function reportThreadError(error: unknown): unknown {
  if (error instanceof MedsafetyError || !(error instanceof Error) || error.message.startsWith("a report thread "))
    return error;
  const wrapped = new Error(`a report thread failed: ${error.message}`, { cause: error });
  if (error.stack !== undefined) wrapped.stack = error.stack;
  return wrapped;
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
