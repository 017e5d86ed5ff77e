import { z } from "zod";

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
  scale: z.strictObject({ min: z.number().int(), max: z.number().int(), higherIsSafer: z.boolean() }),
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
  /** Score bands, inclusive, covering the scale without gaps. */
  bands: z.array(z.strictObject({ min: z.number().int(), max: z.number().int() })).min(2),
  languages: z.strictObject({ ja: rubricTextSchema, en: rubricTextSchema }),
});

export type Rubric = z.output<typeof rubricSchema>;
export type RubricText = z.output<typeof rubricTextSchema>;
