/**
 * @module generation/safe-reply
 * Safe replies for failing turns (`medsafety export sft --safe-responder`): `SafeReplyWriter` runs the responder
 * and the judges' checks of its replies as keyed, stored generation tasks; a reply is accepted by the per-rubric mean
 * of valid scores (accept-safe-reply.ts). Start with safe-reply-writer.ts.
 */
export { DEFAULT_SAFE_REPLY_THRESHOLDS, type SafeReplyThresholds } from "./accept-safe-reply.js";
export {
  SAFE_REPLY_TASK_KINDS,
  type SafeReplyErrorCount,
  type SafeReplyJudge,
  type SafeReplyOutcome,
  type SafeReplyRubric,
  SafeReplyWriter,
} from "./safe-reply-writer.js";
