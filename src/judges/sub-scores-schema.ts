import { z } from "zod";

/** Verdict fields a sub-score id may not take: they already mean something in a verdict. */
export const RESERVED_VERDICT_FIELDS = ["rationale", "reasoning", "score", "label"] as const;

/**
 * A sub-score a rubric's judge gives beside (or instead of) the overall score, e.g. safedialbench-ethics' risk
 * identification or StrongREJECT's refusal: an integer in [min, max], a top-level field `id` of the verdict object,
 * stored in the judgment's `details.subScores` and shown per turn in reports under its `label` (decision 0028).
 */
export const subScoreSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z][A-Za-z0-9]*$/)
    .refine((id) => !(RESERVED_VERDICT_FIELDS as readonly string[]).includes(id), {
      message: `must not be one of ${RESERVED_VERDICT_FIELDS.join(", ")}`,
    }),
  min: z.number().int(),
  max: z.number().int(),
  /** What reports call it, in both languages. */
  label: z.strictObject({ ja: z.string().min(1), en: z.string().min(1) }),
});
