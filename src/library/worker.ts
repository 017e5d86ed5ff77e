import { randomUUID } from "node:crypto";
import { isPostgresUrl, MedsafetyError, redactUrl } from "../core/index.js";
import { benchmarkItemSchema } from "../datasets/index.js";
import { type JobOutcome, type QueuedJob, WorkQueue, type WorkTally, work } from "../queue/index.js";
import { callSlots, RunEvents, runConversation } from "../runner/index.js";
import {
  ItemRepository,
  openStore,
  parseStoredJson,
  ResultRepository,
  RunRepository,
  runStatusOf,
  startedRunIds,
  storedItemJson,
  WorkerRepository,
} from "../store/index.js";
import { checkRunEnd, closeAll } from "./run-steps.js";
import { refusalOf, type ServedRun, serveRun, type WorkerBindings } from "./worker-runs.js";

/** When a worker ends on its own: never (until its signal), when it has nothing left, or when its runs have ended. */
export type WorkerExit = "never" | "idle" | "runs-end";

export interface WorkerOptions {
  /** The PostgreSQL store (`postgres://…`): its runs, results and work queue. A SQLite store is refused. */
  readonly store: string;
  /** Where API keys are read from (each binding's `apiKeyEnv`), as `run` binds them. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly bindings?: WorkerBindings;
  /** Only these runs (the `run` command working on its own run); every started run when absent. */
  readonly runIds?: readonly string[];
  /** Calls in flight at most, over all runs (twice as many conversations are open). Default 8. */
  readonly concurrency?: number;
  /** `idle`: end when the runs it serves have no job waiting or active; `runs-end`: when they are no longer started. */
  readonly exit?: WorkerExit;
  /** Stop: fetch no new job, let calls in flight settle, store, hand unfinished jobs back, mark the worker stopped. */
  readonly signal?: AbortSignal;
  /** Abort calls in flight too (a second Ctrl-C). */
  readonly abortSignal?: AbortSignal;
  /** The runner's events of every conversation this worker runs (progress, logs). */
  readonly events?: RunEvents;
  /** What the worker does, as lines for its output (runs served or refused, runs finished, queue failures). */
  readonly onNotice?: (line: string) => void;
  readonly host: string;
  readonly pid: number;
  /** Seconds before an unfinished job of a dead worker goes to another (default the queue's, 15 min). */
  readonly expireInSeconds?: number;
  readonly pollIntervalMs?: number;
  readonly heartbeatMs?: number;
  readonly now?: () => Date;
}

export interface WorkerResult {
  readonly workerId: string;
  readonly tally: WorkTally;
  /** The runs this worker found drained and recorded as ended (with the end-of-run check), with their status. */
  readonly finished: ReadonlyMap<string, "success" | "error">;
}

/** Refuses a store the queue cannot live in, with the fix. */
export function requirePostgresStore(store: string): void {
  if (isPostgresUrl(store)) return;
  throw new MedsafetyError(
    "store_unusable",
    `Workers need a PostgreSQL store, and ${store} is a SQLite file (one process works on a SQLite store: \`medsafety run\`). Give the store as a URL: --store postgres://user@host/database, the config key "store" or MEDSAFETY_STORE.`,
  );
}

/**
 * Works on the PostgreSQL store's queue: registers itself in `workers`, beats every `heartbeatMs`, serves every
 * started run (or `runIds`) whose targets it can bind, runs each job's conversation with the runner on its resume
 * path, stores the results, then completes the job. A failed call is a stored result, not a failed job; a crash of
 * the handler fails the job (delivered again). A run that stops being `started` (cancelled) is dropped. A run whose
 * queues are all drained gets its end-of-run check and final status here.
 */
export async function runWorker(options: WorkerOptions): Promise<WorkerResult> {
  requirePostgresStore(options.store);
  const opened = openStore(options.store);
  const db = opened.db;
  const runs = new RunRepository(db);
  const results = new ResultRepository(db);
  const workers = new WorkerRepository(db);
  const now = options.now ?? (() => new Date());
  const notice = options.onNotice ?? (() => undefined);
  const workerId = randomUUID();
  const stop = options.signal ?? new AbortController().signal;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const served = new Map<string, ServedRun>();
  const skipped = new Set<string>();
  const finished = new Map<string, "success" | "error">();
  let queue: WorkQueue | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;
  let failure: unknown;
  try {
    queue = await WorkQueue.start(options.store, {
      ...(options.expireInSeconds === undefined ? {} : { expireInSeconds: options.expireInSeconds }),
      onError: (error) => notice(`queue: ${error.message}`),
    });
    workers.register({ id: workerId, host: options.host, pid: options.pid }, now());
    notice(`worker ${workerId} (${options.host} pid ${options.pid}) on ${redactUrl(options.store)}`);
    heartbeat = setInterval(() => workers.heartbeat(workerId, now()), options.heartbeatMs ?? 10_000);
    heartbeat.unref();
    const slot = callSlots(concurrency);
    const events = options.events ?? new RunEvents();
    const refresh = (): void => {
      const started = new Set(startedRunIds(db).filter((id) => options.runIds?.includes(id) ?? true));
      for (const [runId, run] of served) {
        if (started.has(runId) || run.ended.signal.aborted) continue;
        run.ended.abort();
        notice(`run ${runId} is ${runStatusOf(db, runId) ?? "gone"}: dropped (calls in flight settle and are stored)`);
      }
      for (const runId of started) {
        if (served.has(runId) || skipped.has(runId)) continue;
        try {
          const run = serveRun(runs, runId, {
            store: options.store,
            env: options.env,
            bindings: options.bindings ?? {},
            results,
            db,
            events,
            concurrency,
            stopSignal: stop,
            abortSignal: options.abortSignal ?? new AbortController().signal,
            now,
          });
          if (run === undefined) skipped.add(runId);
          else {
            served.set(runId, run);
            notice(`serving run ${runId}: targets ${run.context.targets.map((target) => target.id).join(", ")}`);
          }
        } catch (error) {
          skipped.add(runId);
          notice(refusalOf(runId, error));
        }
      }
    };
    const handler = async (job: QueuedJob): Promise<JobOutcome> => {
      const run = served.get(job.data.runId);
      if (run === undefined || run.ended.signal.aborted)
        return runStatusOf(db, job.data.runId) === "cancelled" ? "cancel" : "hand-back";
      workers.recordTaken(workerId, job.data.runId, now());
      try {
        await runJob(run, job);
      } catch (error) {
        workers.recordJob(workerId, job.data.runId, "error", now());
        throw error;
      }
      if (run.ended.signal.aborted) return "cancel";
      if (stop.aborted) return "hand-back";
      workers.recordJob(workerId, job.data.runId, "done", now());
      return "complete";
    };
    const runJob = async (run: ServedRun, job: QueuedJob): Promise<void> => {
      const json = storedItemJson(db, job.data.itemVersion);
      const target = run.context.targets.find((candidate) => candidate.id === job.data.targetId);
      if (json === undefined || target === undefined)
        throw new Error(`job ${job.id}: no stored item ${job.data.itemId} or target ${job.data.targetId}`);
      const item = benchmarkItemSchema.parse(parseStoredJson(json, "items.item_json"));
      const context = job.data.retryErrors === true ? { ...run.context, retryErrors: true } : run.context;
      const epoch = job.data.epoch ?? 0;
      await runConversation(
        context,
        { item, itemVersion: job.data.itemVersion, target, ...(epoch === 0 ? {} : { epoch }) },
        slot,
      );
      results.flush();
    };
    const whenIdle = async (): Promise<boolean> => {
      refresh();
      // Jobs of a worker that died go back to the queue once expired: look now rather than at the next maintenance.
      await (queue as WorkQueue).expire();
      let idle = true;
      for (const run of served.values()) {
        if (run.ended.signal.aborted) continue;
        const all = await (queue as WorkQueue).counts(run.allQueues);
        if (all.queued + all.active === 0) {
          finish(run);
          continue;
        }
        const mine = run.queues === run.allQueues ? all : await (queue as WorkQueue).counts(run.queues);
        if (mine.queued + mine.active > 0) idle = false;
        else if (options.exit === "runs-end") idle = false;
      }
      if (options.exit === "idle") return idle;
      if (options.exit === "runs-end") return [...served.values()].every((run) => run.ended.signal.aborted);
      return false;
    };
    const finish = (run: ServedRun): void => {
      run.ended.abort();
      if (runStatusOf(db, run.runId) !== "started") return;
      const stores = { db, runs, results, items: new ItemRepository(db) };
      const { status } = checkRunEnd(stores, run.runId, run.config, "success");
      if (status === "success") runs.setStatus(run.runId, "success", null, now());
      finished.set(run.runId, status === "error" ? "error" : "success");
      notice(`run ${run.runId} ended: ${status}`);
    };
    refresh();
    // On a timer, not only between fetches: with every slot busy the fetch loop waits for a job to end, and a
    // cancelled run's conversations must stop calling before then.
    poll = setInterval(() => {
      try {
        refresh();
      } catch (error) {
        notice(`cannot read the store's runs: ${error instanceof Error ? error.message : String(error)}`);
      }
    }, options.pollIntervalMs ?? 1000);
    poll.unref();
    const tally = await work(queue, {
      queues: () => [...served.values()].filter((run) => !run.ended.signal.aborted).flatMap((run) => run.queues),
      handler,
      concurrency: concurrency * 2,
      signal: stop,
      ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
      whenIdle,
      onError: (error) => notice(`queue: ${error instanceof Error ? error.message : String(error)}`),
    });
    results.flush();
    return { workerId, tally, finished };
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    if (heartbeat !== undefined) clearInterval(heartbeat);
    if (poll !== undefined) clearInterval(poll);
    await closeAll(failure, [
      ...[...served.values()].map((run) => () => run.run.bound.close()),
      () => queue?.stop({ graceful: false }),
      () => (workers.get(workerId) === undefined ? undefined : workers.stop(workerId, now())),
      () => db.close(),
    ]);
  }
}
