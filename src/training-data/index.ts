/**
 * @module training-data
 * Fine-tuning data built from runs (`medsafety export sft`): the turns a target failed (MedSafetyBench harm score ≥
 * `minScore`, safety score ≤ `maxSafetyScore`), read from the store through `TrainingDataQueries`, become safety
 * demonstrations (the conversation up to that turn + a safe reply), optionally with the 900 MedSafetyBench train
 * pairs, written as alpaca / openai-chat / hf-messages records with a manifest. A failing turn without a known safe
 * reply can get one from the safe responder (`--safe-responder`): `SafeResponder` is composed by the CLI from
 * generation/safe-reply, so every reply and every judge's check of it is a stored, keyed, resumable generation task;
 * this folder calls no model itself.
 * Start with export-sft.ts.
 */

export {
  exportSft,
  type SftManifest,
  sftManifestPath,
} from "./export-sft.js";
export { DEFAULT_SFT_FILTERS } from "./run-demonstrations.js";
export type {
  SafeResponder,
  SafeResponderTasks,
} from "./safe-responder.js";
export {
  alpacaRecordSchema,
  hfMessagesRecordSchema,
  openaiChatRecordSchema,
  SFT_FORMATS,
  type SftFormat,
} from "./sft-formats.js";
