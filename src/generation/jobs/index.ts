/**
 * @module generation/jobs
 * The generation job runner (decision 0008): keyed, stored, resumable, concurrent model tasks whose answers are
 * validated structured output (zod) with repair retries, `success | failed | error`, events and `<out>.partial`
 * streaming; a budget (task-budget.ts, `--max-cost`: no task starts that could pass it; decision 0021); plus prompt
 * files, JSONL input and text similarity for near duplicates. Start with generation-job.ts.
 */

export { forEachConcurrent } from "./for-each-concurrent.js";
export { GenerationEvents } from "./generation-events.js";
export {
  type GenerationFailure,
  GenerationJob,
  type GenerationJobSummary,
  type GenerationTask,
  generationTaskKey,
  type TaskKindSummary,
  type TaskOutcome,
} from "./generation-job.js";
export type { GenerationModel } from "./generation-model.js";
export { countJsonlRecords, type JsonlRecord, readJsonlFile } from "./jsonl-input.js";
export { PartialFile } from "./partial-file.js";
export { fillTemplate, type GenerationPrompt, loadGenerationPrompt } from "./prompt-template.js";
export { type ParseOutcome, structuredOutput } from "./structured-output.js";
export type { GenerationBudget } from "./task-budget.js";
export { NearDuplicateIndex, normalizeText, textSimilarity } from "./text-similarity.js";
