/**
 * @module judges
 * Judges as constrained classifiers over rubric data: versioned rubric files (ja + en), the judge request
 * (structured output / grammar), verdict parsing, and `unscored` instead of a guessed score.
 */

export * from "./judge-prompt.js";
export * from "./judge-turn.js";
export * from "./load-rubric.js";
export * from "./parse-verdict.js";
export * from "./rubric.js";
export * from "./rubric-set.js";
