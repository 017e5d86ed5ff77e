import { z } from "zod";
import { jsonObjects } from "../core/index.js";
import type { Rubric } from "./rubric.js";

export type Verdict =
  | { readonly status: "scored"; readonly score: number; readonly rationale: string; readonly label?: string }
  | { readonly status: "unscored"; readonly reason: UnscoredReason; readonly detail: string };

export type UnscoredReason = "empty" | "no_json" | "invalid_verdict" | "score_out_of_range";

const verdictShape = z.looseObject({
  rationale: z.string().optional(),
  reasoning: z.string().optional(),
  score: z.union([z.number(), z.string().regex(/^\s*-?\d+(\.\d+)?\s*$/).transform(Number)]),
  label: z.string().optional(),
});

/**
 * Reads a judge's raw answer. A score is accepted only from a JSON object with an integer `score` inside the
 * rubric's scale; anything else (prose, a refusal to judge, a missing, fractional or out-of-range score) is
 * `unscored` with the reason, never a guessed score. When the text holds several JSON objects, the first that is
 * a verdict counts; if none is, the first object's problem is reported.
 */
export function parseVerdict(rawText: string, rubric: Rubric): Verdict {
  if (rawText.trim() === "") return unscored("empty", "the judge returned no text");
  let firstProblem: Verdict | undefined;
  for (const candidate of jsonObjects(rawText)) {
    const verdict = readVerdict(candidate, rubric);
    if (verdict.status === "scored") return verdict;
    firstProblem ??= verdict;
  }
  return firstProblem ?? unscored("no_json", "the answer holds no JSON object");
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
    return unscored("invalid_verdict", `label ${JSON.stringify(parsed.data.label ?? null)} is not one of ${rubric.labels.join(", ")}`);
  }
  return { status: "scored", score, rationale, label };
}

function unscored(reason: UnscoredReason, detail: string): Verdict {
  return { status: "unscored", reason, detail };
}

