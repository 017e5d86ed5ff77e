/**
 * @module judges
 * Judges as constrained classifiers over rubric data: versioned rubric files (ja + en), the judge request
 * (structured output / grammar), verdict parsing, and `unscored` instead of a guessed score.
 * Start with judge-turn.ts (one judge on one turn), then judge-prompt.ts (the prompt) and parse-verdict.ts; rubrics
 * are data in rubrics/*.json. Sub-scores (sub-scores.ts) and scores derived from them (derive-score.ts): decision 0028.
 * Classifier judges (Llama Guard, the moderation endpoint; decision 0029): classifier-request.ts, parse-llama-guard.ts,
 * parse-moderation.ts.
 */

export { builtinClassifierRubrics } from "./classifier-request-rubrics.js";
export { buildJudgeRequest, verdictSchema } from "./judge-prompt.js";
export { type JudgeSampling, judgeTurn } from "./judge-turn.js";
export { DEFAULT_RUBRIC, type LoadedRubric, loadRubric } from "./load-rubric.js";
export { judgeRubric, withJudgeTemplate } from "./official-template.js";
export { parseVerdict } from "./parse-verdict.js";
export { RubricSet } from "./rubric-set.js";
