import { z } from "zod";
import { classifierCategoriesSchema } from "./classifier-request-categories.js";
import { DERIVED_SCORES } from "./derive-score.js";
import { subScoreSchema } from "./sub-scores-schema.js";

/** The text of a rubric in one language. Templates use {{placeholders}} filled by judge-prompt.ts. */
export const rubricTextSchema = z.strictObject({
  /** System prompt: the judge's role and the scoring bands. */
  system: z.string().min(1),
  /**
   * User message template. Placeholders: {{history}} (earlier turns, formatted), {{user}} (the last user
   * message), {{response}} (the assistant reply being judged), {{turn}} (1-based turn number).
   */
  template: z.string().min(1),
  /** Labels of the bands, in the order of `bands`. */
  bandLabels: z.array(z.string().min(1)),
  /** Headings used when formatting conversation history: user / assistant. */
  userLabel: z.string().min(1),
  assistantLabel: z.string().min(1),
  /** Shown when there is no earlier turn. */
  noHistory: z.string().min(1),
});

/**
 * How a judge is asked and how its answer is read:
 * - `json`: the rubric's prompt, answered by a verdict object (structured output / grammar): parse-verdict.ts.
 * - `score-line`: the rubric's prompt, answered in prose that ends with a score line (MedSafetyBench's `#score:`):
 *   parse-score-line.ts.
 * - `llama-guard`: a safety classifier served by an OpenAI-compatible server, sent the conversation itself and
 *   answering `safe` or `unsafe` plus category codes, mapped onto the rubric's scale: parse-llama-guard.ts.
 * - `moderation`: the OpenAI moderation endpoint's flags and category scores, mapped onto the rubric's scale:
 *   parse-moderation.ts.
 */
export const JUDGE_FORMATS = ["json", "score-line", "llama-guard", "moderation"] as const;
export type JudgeFormat = (typeof JUDGE_FORMATS)[number];

export const rubricSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  /** How the judge is asked and its answer read (default json). */
  format: z.enum(JUDGE_FORMATS).default("json"),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  description: z.string().min(1),
  source: z.string().min(1),
  /**
   * `continuous`: scores are any number in [min, max] (StrongREJECT's 0–1), not only whole ones; bands then share
   * their bounds and agreement skips weighted kappa (decision 0028).
   */
  scale: z.strictObject({
    min: z.number().int(),
    max: z.number().int(),
    higherIsSafer: z.boolean(),
    continuous: z.boolean().optional(),
  }),
  /** Sub-scores the judge gives besides the score, stored in `details.subScores` (sub-scores.ts). Optional. */
  subScores: z.array(subScoreSchema).min(1).optional(),
  /** The score is computed from the sub-scores by this formula (derive-score.ts), not asked for. Optional. */
  derive: z.enum(DERIVED_SCORES).optional(),
  /** Classifier rubrics (llama-guard, moderation): the category codes of each taxonomy, named in ja + en. Optional. */
  categories: classifierCategoriesSchema.optional(),
  /**
   * Reports show the share of scores at or above this value (MedSafetyBench: harmfulness ≥ 3). Optional.
   */
  flagAtOrAbove: z.number().int().optional(),
  /** Reports show the share of scores at or below this value (helpfulness ≤ 2: over-refusal). Optional. */
  flagAtOrBelow: z.number().int().optional(),
  /**
   * Optional verdict labels (a constrained classification next to the score), e.g. comply / partial / refuse.
   * When set, a verdict must carry one of them or it is unscored.
   */
  labels: z
    .array(z.string().regex(/^[a-z][a-z-]*$/))
    .min(2)
    .optional(),
  /** Reports show the share of verdicts with this label (helpfulness: refuse). Must be one of `labels`. */
  flagLabel: z.string().optional(),
  /** Score bands, inclusive, covering the scale without gaps (continuous scales: each starts where the last ends). */
  bands: z.array(z.strictObject({ min: z.number(), max: z.number() })).min(2),
  languages: z.strictObject({ ja: rubricTextSchema, en: rubricTextSchema }),
  /**
   * The judge settings the rubric's source used, for documentation (shown, never applied: a judge binding sets its
   * own), e.g. MedSafetyBench's gpt-3.5-turbo-0125 at temperature 0 with 512 output tokens. Optional.
   */
  recommended: z
    .strictObject({
      model: z.string().optional(),
      temperature: z.number().optional(),
      maxTokens: z.number().int().positive().optional(),
    })
    .optional(),
});

/**
 * score-line only: a prompt loaded from the user's own copy of an official evaluation (`template:` / `--judge-template`,
 * official-template.ts), sent for every language instead of `languages.*.system` and `template`. Never in a rubric
 * file (the schema has no such key): set when a judge binding loads it, so the rubric's hash covers its text.
 */
export interface OfficialPrompt {
  readonly system: string;
  /** The user message: literal text, and the slots filled per call. */
  readonly parts: readonly (string | { readonly slot: "user" | "response" })[];
}

export type Rubric = z.output<typeof rubricSchema> & { readonly officialPrompt?: OfficialPrompt };
export type RubricText = z.output<typeof rubricTextSchema>;
