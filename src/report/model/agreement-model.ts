/** The agreement sections of the report: judges with each other, and judges with human reviews. */
import type { NotAvailableFields } from "./not-available-model.js";

/** Agreement of the judges of one rubric over the turns they scored. */
export interface JudgeAgreement {
  readonly rubricId: string;
  /**
   * Set for a comparison across two rubrics that share a scale (build-rubric-agreement.ts, decision 0027): their ids.
   * `rubricId` then names both and the judges are named `judge (rubric)`.
   */
  readonly acrossRubrics?: readonly [string, string];
  readonly judges: readonly string[];
  /** Turns every judge scored (the rows of ICC). */
  readonly completeTurns: number;
  /** Turns left out of ICC because a judge gave no valid score (Krippendorff's alpha still uses them). */
  readonly incompleteTurns: number;
  /** ICC(2,1): two-way random effects, absolute agreement, single judge. At most 1; can fall below −1 in tiny samples. */
  readonly icc21: number | null;
  /** Spearman–Brown reliability of the mean of all judges, from ICC(2,1); null (with the reason) for a negative ICC. */
  readonly meanReliability: number | null;
  /** Krippendorff's alpha, interval metric, over every turn with at least two valid scores. */
  readonly krippendorffAlpha: number | null;
  /** Why a coefficient above is null (absent when all three have a value). */
  readonly notAvailable?: NotAvailableFields<ReliabilityField>;
  /** Quadratic-weighted Cohen's kappa per judge pair, on the rubric's integer scale. */
  readonly pairs: readonly KappaPair[];
  /** The same coefficients within each language and each strategy. */
  readonly byGroup: readonly AgreementGroup[];
  /** The turns where the judges differ most (largest max − min of their scores), worst first. */
  readonly largestDisagreements: readonly Disagreement[];
}

/** The coefficients of JudgeAgreement and AgreementGroup that can be not available. */
export type ReliabilityField = "icc21" | "meanReliability" | "krippendorffAlpha";

export interface KappaPair {
  readonly judges: readonly [string, string];
  readonly n: number;
  readonly kappa: number | null;
  /** Why kappa is null (absent when it has a value). */
  readonly notAvailable?: NotAvailableFields<"kappa">;
}

export interface AgreementGroup {
  readonly dimension: "language" | "strategy";
  readonly group: string;
  readonly completeTurns: number;
  readonly icc21: number | null;
  readonly meanReliability: number | null;
  readonly krippendorffAlpha: number | null;
  /** Why a coefficient above is null (absent when all three have a value). */
  readonly notAvailable?: NotAvailableFields<ReliabilityField>;
}

export interface Disagreement {
  readonly targetId: string;
  readonly itemId: string;
  readonly turnIndex: number;
  readonly language: string;
  readonly strategy: string;
  /** Each judge's score (judges without a valid score are absent). */
  readonly scores: Readonly<Record<string, number>>;
  readonly spread: number;
}

/** One rater (a judge, or the judges' mean) against the human reviews, over the reviewed turns it scored. */
export interface HumanAgreement {
  /** A judge id, or JUDGES_MEAN. */
  readonly rater: string;
  readonly kind: "judge" | "judges-mean";
  /** Reviewed turns the rater gave a valid score. */
  readonly n: number;
  /** Mean of |rater − reviewer|; null when n is 0. */
  readonly meanAbsoluteDifference: number | null;
  /** ICC(2,1) of the two columns (rater, reviewer); null below two turns or without variance. */
  readonly icc21: number | null;
  /** Quadratic-weighted kappa on the rubric's integer scale; null when a score is not a whole number on it. */
  readonly kappa: number | null;
  /** Why ICC or kappa is null (absent when both have a value). */
  readonly notAvailable?: NotAvailableFields<"icc21" | "kappa">;
}

/** Human review of a run's multi-turn turns: how many were reviewed, whether reports used them, judge-vs-human agreement. */
export interface HumanReviewSummary {
  readonly rubricId: string;
  /** Turns with a review (the latest of each counts), over all targets. */
  readonly reviewedTurns: number;
  /** True with `report --use-reviews`: a reviewed turn's score is its latest review's, not the judges' mean. */
  readonly reviewedScoresUsed: boolean;
  /** Reviewed turns whose score the review replaced (reviewed turns the target answered); 0 without --use-reviews. */
  readonly turnsScoredByReview: number;
  /** Per judge (config order), then the judges' mean. The judges' own scores are never replaced by reviews. */
  readonly agreement: readonly HumanAgreement[];
}
