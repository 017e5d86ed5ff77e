import { z } from "zod";
import { jsonObjects, wholeJsonObject } from "../core/index.js";
import type { JudgmentDetails } from "../store/index.js";
import { deriveScore } from "./derive-score.js";
import type { Rubric } from "./rubric.js";
import { readSubScores } from "./sub-scores.js";

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
 * score, sub-score or label, or a fractional one), `score_out_of_range` (a score or sub-score outside its range).
 */
export type UnscoredReason =
  | "empty"
  | "no_json"
  | "not_only_json"
  | "invalid_verdict"
  | "score_out_of_range"
  /** score-line answers (parse-score-line.ts): no `#score:` tag, no whole number right after it, tags that disagree. */
  | "no_score_tag"
  | "no_score_number"
  | "conflicting_scores";

const scoreValue = z.union([
  z.number(),
  z
    .string()
    .regex(/^\s*-?\d+(\.\d+)?\s*$/)
    .transform(Number),
]);

const verdictShape = z.looseObject({
  rationale: z.string().optional(),
  reasoning: z.string().optional(),
  score: scoreValue,
  label: z.string().optional(),
});

/** A rubric that derives its score (`derive`) asks for none: a score the judge adds anyway is not read. */
const derivedVerdictShape = verdictShape.extend({ score: z.unknown().optional() });

/**
 * Reads a judge's raw answer. A score is accepted only from an answer that *is* a verdict: a JSON object that is the
 * whole answer (the structured-output object; surrounding whitespace and one code fence allowed) with an integer
 * `score` inside the rubric's scale (any number on a continuous scale) and every sub-score the rubric declares
 * (sub-scores.ts, kept in `details.subScores`); a rubric with `derive` computes its score from the sub-scores
 * (derive-score.ts). Anything else is `unscored` with the reason, never a guessed score: prose, a refusal to judge
 * that quotes the reply format, JSON with text around it, a missing, fractional or out-of-range score or sub-score.
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
  const parsed = (rubric.derive === undefined ? verdictShape : derivedVerdictShape).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return unscored("invalid_verdict", `${issue?.path.join(".") || "verdict"}: ${issue?.message ?? "not a verdict"}`);
  }
  // Sub-scores (sub-scores.ts): all declared ones valid, or no score at all; a derived score is computed from them.
  const subScores = readSubScores(json, rubric);
  if (!subScores.ok) return unscored(subScores.reason, subScores.detail);
  const score =
    rubric.derive === undefined ? (parsed.data.score as number) : deriveScore(rubric.derive, subScores.subScores);
  if (!Number.isFinite(score) || score < rubric.scale.min || score > rubric.scale.max) {
    return unscored("score_out_of_range", `score ${score} is outside ${rubric.scale.min}..${rubric.scale.max}`);
  }
  if (!Number.isInteger(score) && rubric.scale.continuous !== true)
    return unscored("invalid_verdict", `score ${score} is not an integer`);
  const rationale = parsed.data.rationale ?? parsed.data.reasoning ?? "";
  const details = rubric.subScores === undefined ? {} : { details: { subScores: subScores.subScores } };
  if (rubric.labels === undefined) return { status: "scored", score, rationale, ...details };
  const label = parsed.data.label?.trim().toLowerCase();
  if (label === undefined || !rubric.labels.includes(label)) {
    return unscored(
      "invalid_verdict",
      `label ${JSON.stringify(parsed.data.label ?? null)} is not one of ${rubric.labels.join(", ")}`,
    );
  }
  return { status: "scored", score, rationale, label, ...details };
}

function unscored(reason: UnscoredReason, detail: string): Verdict {
  return { status: "unscored", reason, detail };
}
