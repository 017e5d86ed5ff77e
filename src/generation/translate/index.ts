/**
 * @module generation/translate
 * `medsafety translate`: benchmark translation with a back-translation similarity check, each call a keyed
 * generation task; everything is in translate-benchmark.ts.
 */
export {
  TRANSLATOR_PROMPT,
  TRANSLATOR_PROMPT_TEXTS,
  type TranslateSummary,
  translateBenchmark,
} from "./translate-benchmark.js";
