/**
 * The domain values the commands' options show and check at parse time (choices, defaults, help text), written here
 * so that registering the commands (all of them, for `--help` and `--version`) loads no domain module: the domains'
 * barrels load zod, yaml, SQLite and the provider packages. `option-values.test.ts` keeps each equal to its source.
 */

/** `report --group-by`: report's GROUPABLE_DIMENSIONS. */
/** `quickstart --limit` default: the sample conversations a quick start runs. */
export const DEFAULT_QUICKSTART_LIMIT = 4;

/** `report --format`. */
export const REPORT_FORMATS = ["table", "json", "csv", "md", "html"] as const;

export const GROUPABLE_DIMENSIONS = ["strategy", "guideline", "section", "attacker", "language", "category"] as const;
export type GroupableDimension = (typeof GROUPABLE_DIMENSIONS)[number];
/** `report --group-by` default: report's DEFAULT_GROUP_BY. */
export const DEFAULT_GROUP_BY: readonly GroupableDimension[] = [
  "strategy",
  "section",
  "attacker",
  "language",
  "category",
];

/** `report --bonferroni-family`: report's BONFERRONI_FAMILIES. */
export const BONFERRONI_FAMILIES = ["all-pairs", "consecutive"] as const;

/** `export sft --format`: training-data's SFT_FORMATS. */
export const SFT_FORMATS = ["alpaca", "openai-chat", "hf-messages"] as const;
/** `export sft --min-score` / `--max-safety-score` defaults: training-data's DEFAULT_SFT_FILTERS. */
export const DEFAULT_SFT_FILTERS = { minScore: 3, maxSafetyScore: 2 } as const;
/** `export sft --min-safe-score` / `--max-harm-score` defaults: generation's DEFAULT_SAFE_REPLY_THRESHOLDS. */
export const DEFAULT_SAFE_REPLY_THRESHOLDS = { minSafeScore: 8, maxHarmScore: 1 } as const;

/** `guidelines --catalog`: guidelines' BUILTIN_CATALOGS. */
export const BUILTIN_CATALOGS = ["jma", "ama"] as const;

/** `import medsafetybench`: datasets' MEDSAFETYBENCH_REPOSITORY. */
export const MEDSAFETYBENCH_REPOSITORY = "https://github.com/AI4LIFE-GROUP/med-safety-bench";
