import type { ChatMessage } from "../core/index.js";
import type {
  SafeReplyErrorCount,
  SafeReplyOutcome,
  SafeReplyThresholds,
  TaskKindSummary,
} from "../generation/index.js";
import type { MissingSafeReply } from "./run-demonstrations.js";
import { type Demonstration, demonstrationId } from "./sft-formats.js";

/** A failing turn whose conversation could be rebuilt: what the safe responder answers. */
export type AnswerableMissingSafeReply = MissingSafeReply & { readonly conversation: readonly ChatMessage[] };

/** What the stored tasks behind the replies show once the export ends (for the manifest). */
export interface SafeResponderTasks {
  /** The generation run that recorded the safe-responder and verdict tasks. */
  readonly generationRunId: string;
  /** Per task kind (`safe-reply`, `safe-reply-verdict`): new calls, stored successes reused, failed, errors. */
  readonly tasks: Readonly<Record<string, TaskKindSummary>>;
  /** Errored tasks by model, kind and code (and HTTP status). */
  readonly errorsByModel: readonly SafeReplyErrorCount[];
}

/**
 * The safe responder as the SFT export sees it: which model, prompt, judges and thresholds (for the manifest), and
 * `write`, which has the model write a reply and the run's judges check it (composed by the CLI from generation
 * jobs and judges; every call stored as a task). `write` throws only when the export is cancelled.
 */
export interface SafeResponder extends SafeReplyThresholds {
  /** The binding's `provider:model` (never a key). */
  readonly modelId: string;
  readonly promptId: string;
  readonly promptVersion: string;
  readonly judgeIds: readonly string[];
  write(missing: AnswerableMissingSafeReply): Promise<SafeReplyOutcome>;
  taskSummary(): SafeResponderTasks;
}

/** What the safe responder did for the failing turns, for the manifest. */
export interface SafeResponderCounts {
  /** Replies written (now or reused from the store): accepted + rejected + unscored. */
  replies: number;
  /** Replies whose judges' mean passed the threshold: exported. */
  accepted: number;
  /** Replies whose judges' mean failed the threshold: not exported. */
  rejected: number;
  /** Replies no judge gave a valid score (unscored verdicts or judge errors): not exported. */
  unscored: number;
  /** Turns the safe responder only answered with an empty reply (stored as `failed`). */
  failed: number;
  /** Turns whose safe-responder call failed after retries (stored as `error` with code and message). */
  errors: number;
}

/** Zeroed safe-responder counts. */
export function emptySafeResponderCounts(): SafeResponderCounts {
  return { replies: 0, accepted: 0, rejected: 0, unscored: 0, failed: 0, errors: 0 };
}

/**
 * The demonstration for a failing turn written by the safe responder (source `safe-responder`), or undefined
 * when the reply was rejected, unscored, empty or errored; counts every outcome.
 */
export async function safeResponderDemonstration(
  responder: SafeResponder,
  missing: AnswerableMissingSafeReply,
  counts: SafeResponderCounts,
): Promise<Demonstration | undefined> {
  const outcome = await responder.write(missing);
  if (outcome.status === "failed" || outcome.status === "error") {
    counts[outcome.status === "failed" ? "failed" : "errors"] += 1;
    return undefined;
  }
  counts.replies += 1;
  counts[outcome.status] += 1;
  if (outcome.status !== "accepted") return undefined;
  const messages: ChatMessage[] = [...missing.conversation, { role: "assistant", content: outcome.reply }];
  return {
    id: demonstrationId(messages),
    source: "safe-responder",
    language: missing.language,
    messages,
    origin: `${missing.origin}, safe responder`,
  };
}
