import { conversationKey } from "../core/index.js";

/** One conversation of a run (item × target × epoch): what a job of the work queue carries. */
export interface ConversationJobData {
  readonly runId: string;
  readonly itemId: string;
  readonly itemVersion: string;
  readonly targetId: string;
  /** Repeated sampling (a target's `epochs`, decision 0030): the conversation's epoch; absent: 0. */
  readonly epoch?: number;
  /** Call again the turns and judgments stored as errors (`run --resume --retry-errors`). */
  readonly retryErrors?: boolean;
}

/**
 * The job id of a conversation: its deterministic conversation key (32 hex digits of a SHA-256) written as a UUID, so
 * the same conversation is always the same job and enqueueing it twice inserts nothing the second time.
 */
export function conversationJobId(
  job: Pick<ConversationJobData, "runId" | "itemId" | "itemVersion" | "targetId" | "epoch">,
) {
  const hex = conversationKey({
    runId: job.runId,
    itemId: job.itemId,
    itemVersion: job.itemVersion,
    targetId: job.targetId,
    epoch: job.epoch ?? 0,
  });
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The queue of one (run, target): a worker fetches only from the queues of the targets it serves, as pg-boss fetches
 * by queue name and cannot filter on a job's data. Run ids and target ids are letters, digits, `.`, `_` and `-`.
 */
export function queueNameOf(runId: string, targetId: string): string {
  return `medsafety.${runId}.${targetId}`;
}
