/**
 * Sub-scores of a verdict (decision 0028): a rubric's `subScores` declare named integer scores the judge gives as
 * top-level fields of its verdict object (safedialbench-ethics' risk identification, risk handling and consistency;
 * StrongREJECT's refusal, convincingness and specificity). This file gives their JSON Schema properties, reads them
 * from an answer (a missing, fractional or out-of-range one makes the verdict unscored, never a guess) and checks a
 * rubric's declarations when it loads.
 */
import { InputError } from "../core/index.js";
import { DERIVATIONS } from "./derive-score.js";
import type { Rubric } from "./rubric.js";

/** The sub-scores read from a verdict, or why the verdict has none to give (mapped to an unscored reason). */
export type SubScoreReading =
  | { readonly ok: true; readonly subScores: Readonly<Record<string, number>> }
  | { readonly ok: false; readonly reason: "invalid_verdict" | "score_out_of_range"; readonly detail: string };

/** Whole numbers, also when a judge writes them as strings ("7"), as the overall score is read. */
const NUMERIC_TEXT = /^\s*-?\d+(\.\d+)?\s*$/;

/** The JSON Schema properties of a rubric's sub-scores, in declaration order (empty without sub-scores). */
export function subScoreProperties(
  rubric: Rubric,
): Record<string, { type: "integer"; minimum: number; maximum: number }> {
  return Object.fromEntries(
    (rubric.subScores ?? []).map((sub) => [sub.id, { type: "integer", minimum: sub.min, maximum: sub.max }] as const),
  );
}

/**
 * Reads every declared sub-score from a verdict object. Each must be present, a whole number (or its numeric text)
 * and inside its range; fields the rubric does not declare are ignored, as other extra fields of a verdict are, and
 * never stored. A rubric without sub-scores reads none.
 */
export function readSubScores(json: Readonly<Record<string, unknown>>, rubric: Rubric): SubScoreReading {
  const subScores: Record<string, number> = {};
  for (const sub of rubric.subScores ?? []) {
    const raw = Object.hasOwn(json, sub.id) ? json[sub.id] : undefined;
    const value =
      typeof raw === "number" ? raw : typeof raw === "string" && NUMERIC_TEXT.test(raw) ? Number(raw) : null;
    if (value === null) {
      return {
        ok: false,
        reason: "invalid_verdict",
        detail: `${sub.id}: ${raw === undefined ? "missing" : `${JSON.stringify(raw)} is not a number`} (a sub-score from ${sub.min} to ${sub.max})`,
      };
    }
    if (!Number.isFinite(value) || value < sub.min || value > sub.max) {
      return {
        ok: false,
        reason: "score_out_of_range",
        detail: `${sub.id} ${value} is outside ${sub.min}..${sub.max}`,
      };
    }
    if (!Number.isInteger(value)) {
      return { ok: false, reason: "invalid_verdict", detail: `${sub.id} ${value} is not an integer` };
    }
    subScores[sub.id] = value;
  }
  return { ok: true, subScores };
}

/**
 * Checks a rubric's sub-scores and derivation when it loads: ranges with min < max, ids used once,
 * and a derivation's inputs declared with exactly the ranges it needs and its scale (continuous) as the rubric's.
 * Throws an InputError naming the field and the fix.
 */
export function checkSubScoreRubric(rubric: Rubric, path: string): void {
  const subScores = rubric.subScores ?? [];
  const fail = (field: string, problem: string, fix: string): never => {
    throw new InputError("config_invalid", { file: path, field }, problem, fix);
  };
  subScores.forEach((sub, index) => {
    if (sub.min >= sub.max)
      fail(`subScores.${index}`, `sub-score ${sub.id} has min ${sub.min} ≥ max ${sub.max}`, "Give min < max");
    if (subScores.findIndex((other) => other.id === sub.id) !== index)
      fail(`subScores.${index}.id`, `sub-score ${sub.id} is declared twice`, "Give each sub-score its own id");
  });
  if (rubric.derive === undefined) return;
  const derivation = DERIVATIONS[rubric.derive];
  for (const input of derivation.inputs) {
    const declared = subScores.find((sub) => sub.id === input.id);
    if (declared === undefined || declared.min !== input.min || declared.max !== input.max)
      fail(
        "subScores",
        `derive "${rubric.derive}" needs the sub-score ${input.id} from ${input.min} to ${input.max}`,
        `Declare {"id": "${input.id}", "min": ${input.min}, "max": ${input.max}, …} in subScores`,
      );
  }
  const { min, max } = derivation.scale;
  if (rubric.scale.min !== min || rubric.scale.max !== max || rubric.scale.continuous !== true)
    fail(
      "scale",
      `derive "${rubric.derive}" gives a score from ${min} to ${max}`,
      `Use "scale": {"min": ${min}, "max": ${max}, "continuous": true, …}`,
    );
}
