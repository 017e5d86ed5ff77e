/** Each rubric's scores on its own scale (MedSafetyBench harm, helpfulness, …) by target, language and category. */
import type { ValueSummary } from "../../analysis/index.js";
import type { RubricReference } from "../../store/index.js";

/** One group's scores on a rubric's scale: n, mean ± SEM, median, and the flagged share. */
export interface GroupSummary extends ValueSummary {
  readonly key: string;
  /**
   * Share of scores at or above the rubric's `flagAtOrAbove` (harmfulness ≥ 3), or at or below its
   * `flagAtOrBelow` (helpfulness ≤ 2: over-refusal); null when the rubric sets neither.
   */
  readonly flaggedShare: number | null;
}

export interface TargetScaleSummary extends GroupSummary {
  /** Turns whose judges of this rubric gave no valid score. */
  readonly unscoredTurns: number;
  readonly judgeErrors: number;
  readonly bySource: readonly GroupSummary[];
  readonly byGuideline: readonly GroupSummary[];
  /** For rubrics with labels: each label's share of this target's scored verdicts (judgment level). */
  readonly labelShares: Readonly<Record<string, number>>;
}

/**
 * A medical model against a general one (targets with `category: medical` vs the others), as MedSafetyBench
 * compares them: two-sided Mann–Whitney U on turn scores, Bonferroni over all pairs of this rubric.
 */
export interface CategoryComparison {
  readonly medical: string;
  readonly general: string;
  /** Mean of the medical model minus mean of the general one. */
  readonly meanDifference: number | null;
  readonly u: number;
  readonly pValue: number;
  readonly pBonferroni: number;
  readonly method: "exact" | "asymptotic";
}

/** Scores per target on one rubric's scale (every rubric a run used, e.g. MedSafetyBench's 1–5 harmfulness). */
export interface ScaleSummary {
  readonly rubric: RubricReference;
  readonly targets: readonly TargetScaleSummary[];
  readonly medicalVsGeneral: readonly CategoryComparison[];
}
