/**
 * @module queue
 * The durable work queue of the shared PostgreSQL store (issue 14): pg-boss 10 in the store's database, one queue per
 * (run, target), one job per conversation. Knows nothing of runs' contents: a job is a conversation's reference
 * (run, item, version, target), and the worker (library/worker.ts) runs it with the runner.
 *
 * - conversation-job.ts: the job's data, its id (the conversation key as a UUID, so enqueueing twice is a no-op) and
 *   the queue name of a (run, target).
 * - work-queue.ts: `WorkQueue`: start/stop, the queues of a run, enqueueing inside the caller's open transaction (the
 *   one that creates the run), requeueing on resume, fetch/complete/fail/hand back, cancelling a run's waiting jobs,
 *   counts for progress. A job whose worker dies is delivered again after `expireInSeconds`.
 * - work-loop.ts: `work`: fetches from the queues in turn and runs up to `concurrency` handlers; stops fetching on its
 *   signal and returns once every job fetched is completed, failed (delivered again) or handed back.
 *
 * Delivery is at least once; results are stored once because a redelivered conversation takes the runner's resume
 * path and calls only the keys the store lacks. Start with work-queue.ts.
 */

export { type ConversationJobData, conversationJobId, queueNameOf } from "./conversation-job.js";
export { type JobOutcome, type WorkTally, work } from "./work-loop.js";
export { type QueuedJob, WorkQueue, type WorkQueueOptions } from "./work-queue.js";
