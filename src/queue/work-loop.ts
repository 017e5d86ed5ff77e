import { setTimeout as sleep } from "node:timers/promises";
import type { QueuedJob, WorkQueue } from "./work-queue.js";

/**
 * What became of a job its handler ran: `complete` (its conversation is stored), `hand-back` (the worker stops
 * before the conversation ended: another worker takes it at once), `cancel` (its run was cancelled).
 */
export type JobOutcome = "complete" | "hand-back" | "cancel";

export interface WorkOptions {
  /** The queues to fetch from, asked before every fetch (the runs a worker serves change while it works). */
  readonly queues: () => readonly string[];
  /** Runs one job. A rejection fails the job, which is delivered again (to this or another worker). */
  readonly handler: (job: QueuedJob) => Promise<JobOutcome>;
  /** Jobs in flight at most. */
  readonly concurrency: number;
  /** Aborting stops fetching; the loop returns once the handlers in flight have settled (they watch their own stop). */
  readonly signal: AbortSignal;
  /** How long to wait before fetching again when every queue was empty (default 1000 ms). */
  readonly pollIntervalMs?: number;
  /** Asked when nothing was fetched and no job is in flight: true ends the loop (`--exit-when-idle`). */
  readonly whenIdle?: () => Promise<boolean>;
  /** A failure of the queue itself (completing, failing or handing back a job): the loop goes on. */
  readonly onError?: (error: unknown) => void;
}

export interface WorkTally {
  readonly completed: number;
  readonly failed: number;
  readonly handedBack: number;
}

/**
 * Fetches jobs from the queues in turn (round robin, so no queue starves) and runs up to `concurrency` handlers at
 * once, until `signal` aborts or `whenIdle` says there is nothing left. Every job fetched ends completed, failed,
 * handed back or cancelled before this returns.
 */
export async function work(queue: WorkQueue, options: WorkOptions): Promise<WorkTally> {
  const inFlight = new Set<Promise<void>>();
  const tally = { completed: 0, failed: 0, handedBack: 0 };
  const concurrency = Math.max(1, options.concurrency);
  let turn = 0;
  const run = (job: QueuedJob): void => {
    const settled = settle(queue, job, options, tally).finally(() => inFlight.delete(settled));
    inFlight.add(settled);
  };
  while (!options.signal.aborted) {
    let fetched = 0;
    const queues = options.queues();
    for (let index = 0; index < queues.length && inFlight.size < concurrency; index++) {
      const name = queues[(turn + index) % queues.length] as string;
      const jobs = await queue.fetch(name, concurrency - inFlight.size);
      for (const job of jobs) run(job);
      fetched += jobs.length;
    }
    turn++;
    if (options.signal.aborted) break;
    if (inFlight.size >= concurrency) {
      await Promise.race(inFlight);
      continue;
    }
    if (fetched > 0) continue;
    if (inFlight.size === 0 && options.whenIdle !== undefined && (await options.whenIdle())) break;
    await Promise.race([pause(options.pollIntervalMs ?? 1000, options.signal), ...inFlight]);
  }
  await Promise.all(inFlight);
  return tally;
}

async function settle(
  queue: WorkQueue,
  job: QueuedJob,
  options: WorkOptions,
  tally: { completed: number; failed: number; handedBack: number },
): Promise<void> {
  let outcome: JobOutcome;
  try {
    outcome = await options.handler(job);
  } catch (error) {
    tally.failed++;
    await queue.fail(job, error).catch((failure: unknown) => options.onError?.(failure));
    return;
  }
  try {
    if (outcome === "complete") {
      await queue.complete(job);
      tally.completed++;
    } else if (outcome === "hand-back") {
      await queue.handBack(job);
      tally.handedBack++;
    } else await queue.cancel(job);
  } catch (error) {
    options.onError?.(error);
  }
}

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    // Aborted: the loop sees the signal.
  }
}
