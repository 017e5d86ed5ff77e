import { type ConversationJobData, queueNameOf, WorkQueue, type WorkQueueOptions } from "../queue/index.js";
import { type Db, PostgresDatabase, runItemVersions } from "../store/index.js";

/**
 * A run's jobs on a PostgreSQL store: one per conversation (item × target × epoch), inserted in the transaction that creates
 * the run (`jobsWithRun`), queued again on resume (`requeueRun`). The queue lives in the store's database.
 */

/** A target whose conversations are queued: its id, or its id and `epochs` (repeated sampling, decision 0030). */
export type QueuedTarget = string | { readonly id: string; readonly epochs?: number | undefined };

/** Each target's id and its epochs (absent: 1). */
function queuedTargets(targets: readonly QueuedTarget[]): { readonly id: string; readonly epochs: number }[] {
  return targets.map((target) =>
    typeof target === "string" ? { id: target, epochs: 1 } : { id: target.id, epochs: target.epochs ?? 1 },
  );
}

/** One job per epoch of each target for one stored item. */
function jobsOf(
  runId: string,
  item: { readonly id: string; readonly version: string },
  targets: readonly { readonly id: string; readonly epochs: number }[],
): ConversationJobData[] {
  return targets.flatMap((target) =>
    Array.from({ length: target.epochs }, (_, epoch) => ({
      runId,
      itemId: item.id,
      itemVersion: item.version,
      targetId: target.id,
      ...(epoch === 0 ? {} : { epoch }),
    })),
  );
}

/** Starts the store's work queue and creates the queues of the run's targets, before the run is recorded. */
export async function openRunQueue(
  store: string,
  runId: string,
  targetIds: readonly string[],
  options: WorkQueueOptions = {},
): Promise<WorkQueue> {
  const queue = await WorkQueue.start(store, options);
  try {
    await queue.prepareRun(runId, targetIds);
  } catch (error) {
    await queue.stop({ graceful: false }).catch(() => undefined);
    throw error;
  }
  return queue;
}

/**
 * The `onItemsStored` hook of `recordRun` that enqueues each stored item's conversations on the store's own
 * connection, inside the run's open transaction: the run exists with all its jobs, or neither does.
 */
export function jobsWithRun(
  queue: WorkQueue,
  db: Db,
  runId: string,
  targets: readonly QueuedTarget[],
): (items: readonly { readonly id: string; readonly version: string }[]) => void {
  if (!(db instanceof PostgresDatabase)) throw new Error("jobsWithRun: the work queue needs a PostgreSQL store");
  const execute = (text: string, values: readonly unknown[]) => db.query(text, values);
  const queued = queuedTargets(targets);
  return (items) =>
    queue.enqueueWithin(
      execute,
      items.flatMap((item) => jobsOf(runId, item, queued)),
    );
}

/**
 * Queues again every conversation of a run not completed (`run --resume`): a worker takes the resume path and calls
 * only what the store lacks, so a complete conversation costs one lookup. Jobs still active (their worker was killed,
 * or is still on them) go back to the queue at once rather than after their expiry (`WorkQueue.requeue`); with
 * `retryErrors`, every job is replaced by one that calls stored errors again. Returns how many jobs were active.
 */
export async function requeueRun(
  queue: WorkQueue,
  db: Db,
  runId: string,
  targets: readonly QueuedTarget[],
  options: { readonly retryErrors?: boolean } = {},
): Promise<{ readonly active: number }> {
  const queued = queuedTargets(targets);
  const targetIds = queued.map((target) => target.id);
  await queue.prepareRun(runId, targetIds);
  const { active } = await queue.counts(targetIds.map((targetId) => queueNameOf(runId, targetId)));
  let batch: ConversationJobData[] = [];
  for (const { itemId, itemVersion } of runItemVersions(db, runId)) {
    batch.push(...jobsOf(runId, { id: itemId, version: itemVersion }, queued));
    if (batch.length >= 1000) {
      await queue.requeue(batch, options);
      batch = [];
    }
  }
  await queue.requeue(batch, options);
  return { active };
}
