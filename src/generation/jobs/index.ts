/** The generation job runner: keyed, stored, resumable, concurrent model tasks with validated structured output. */

export * from "./for-each-concurrent.js";
export * from "./generation-events.js";
export * from "./generation-job.js";
export * from "./generation-model.js";
export * from "./jsonl-input.js";
export * from "./partial-file.js";
export * from "./prompt-template.js";
export * from "./structured-output.js";
export * from "./text-similarity.js";
