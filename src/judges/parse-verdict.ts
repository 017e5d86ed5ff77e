import { z } from "zod";
import { jsonObjects, wholeJsonObject } from "../core/index.js";
import type { JudgmentDetails } from "../store/index.js";
import type { Rubric } from "./rubric.js";

export type Verdict =
  | {
      readonly status: "scored";
      readonly score: number;
      readonly rationale: string;
      readonly label?: string;
      /** Sub-scores and classifier categories, for rubrics that give them. */
      readonly details?: JudgmentDetails;
    }
  | { readonly status: "unscored"; readonly reason: UnscoredReason; readonly detail: string };

/**
 * Why a judge's answer gave no score: `empty` (no text), `no_json` (no JSON object at all), `not_only_json` (a JSON
 * object with other text around it, e.g. a refusal quoting the format), `invalid_verdict` (the object lacks a valid
 * score or label), `score_out_of_range` (outside the rubric's scale).
 */
export type UnscoredReason = "empty" | "no_json" | "not_only_json" | "invalid_verdict" | "score_out_of_range";

const verdictShape = z.looseObject({
  rationale: z.string().optional(),
  reasoning: z.string().optional(),
  score: z.union([
    z.number(),
    z
      .string()
      .regex(/^\s*-?\d+(\.\d+)?\s*$/)
      .transform(Number),
  ]),
  label: z.string().optional(),
});

/**
 * Reads a judge's raw answer. A score is accepted only from an answer that *is* a verdict: a JSON object that is the
 * whole answer (the structured-output object; surrounding whitespace and one code fence allowed) with an integer
 * `score` inside the rubric's scale. Anything else is `unscored` with the reason, never a guessed score: prose, a
 * refusal to judge that quotes the reply format, JSON with text around it, a missing, fractional or out-of-range
 * score.
 */
export function parseVerdict(rawText: string, rubric: Rubric): Verdict {
  if (rawText.trim() === "") return unscored("empty", "the judge returned no text");
  const whole = wholeJsonObject(rawText);
  if (whole !== undefined) return readVerdict(whole, rubric);
  const embedded = jsonObjects(rawText).next();
  return embedded.done === true
    ? unscored("no_json", "the answer holds no JSON object")
    : unscored(
        "not_only_json",
        "the answer holds text besides a JSON object (a verdict must be the whole answer, as the reply format asks)",
      );
}

function readVerdict(json: Record<string, unknown>, rubric: Rubric): Verdict {
  const parsed = verdictShape.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return unscored("invalid_verdict", `${issue?.path.join(".") || "verdict"}: ${issue?.message ?? "not a verdict"}`);
  }
  const { score } = parsed.data;
  if (!Number.isFinite(score) || score < rubric.scale.min || score > rubric.scale.max) {
    return unscored("score_out_of_range", `score ${score} is outside ${rubric.scale.min}..${rubric.scale.max}`);
  }
  if (!Number.isInteger(score)) return unscored("invalid_verdict", `score ${score} is not an integer`);
  const rationale = parsed.data.rationale ?? parsed.data.reasoning ?? "";
  if (rubric.labels === undefined) return { status: "scored", score, rationale };
  const label = parsed.data.label?.trim().toLowerCase();
  if (label === undefined || !rubric.labels.includes(label)) {
    return unscored(
      "invalid_verdict",
      `label ${JSON.stringify(parsed.data.label ?? null)} is not one of ${rubric.labels.join(", ")}`,
    );
  }
  return { status: "scored", score, rationale, label };
}

function unscored(reason: UnscoredReason, detail: string): Verdict {
  return { status: "unscored", reason, detail };
}
