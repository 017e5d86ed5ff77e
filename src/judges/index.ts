/**
 * @module judges
 * Judges as constrained classifiers over rubric data: versioned rubric files (ja + en), the judge request
 * (structured output / grammar), verdict parsing, and `unscored` instead of a guessed score.
 * Start with judge-turn.ts (one judge on one turn), then judge-prompt.ts (the prompt) and parse-verdict.ts; rubrics
 * are data in rubrics/*.json.
 */

export { buildJudgeRequest, verdictSchema } from "./judge-prompt.js";
export { type JudgeSampling, judgeTurn } from "./judge-turn.js";
export { DEFAULT_RUBRIC, type LoadedRubric, loadRubric } from "./load-rubric.js";
export { parseVerdict } from "./parse-verdict.js";
export { RubricSet } from "./rubric-set.js";
