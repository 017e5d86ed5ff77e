/** The judge panel's agreement across rubrics: rubric judges and classifiers on a common safe/unsafe reading. */
import type { NotAvailableFields } from "./not-available-model.js";

/**
 * How a member's score reads as safe or unsafe (decision 0029):
 * - `pass-threshold`: a 0–10 scale where higher is safer (jmedethic-safety, and the classifiers, which score 0 or 10):
 *   safe when the score is above the run's pass threshold, as a turn passes the Safety Pass Rate;
 * - `harm-flag`: a harm scale (higher is worse) with `flagAtOrAbove`: unsafe at or above the flag (MedSafetyBench ≥ 3);
 * - `none`: the rubric has no safety reading (helpfulness, refusal...): it enters no kappa, only rank correlations.
 */
export type SafetyReading = "pass-threshold" | "harm-flag" | "none";

/** One judge on one rubric over the multi-turn turns (a judge is one member per rubric it scored them on). */
export interface PanelMember {
  readonly judgeId: string;
  readonly rubricId: string;
  /** A classifier (llama-guard, moderation): its score is its own verdict, so it gets no rank correlation. */
  readonly classifier: boolean;
  readonly reading: SafetyReading;
  /** The score at which the reading changes: the pass threshold (safe above it) or the harm flag (unsafe from it). */
  readonly threshold: number | null;
  /** Whether the member's judgments are in the turn score (only judges on the multi-turn rubric are). */
  readonly inTurnScore: boolean;
  /** Turns with a valid score from this member. */
  readonly scoredTurns: number;
}

/** Two members compared on the turns both scored. */
export interface PanelPair {
  /** Indexes into `members`. */
  readonly first: number;
  readonly second: number;
  /** Turns both gave a valid score. */
  readonly bothScored: number;
  /** The safe/unsafe comparison; null when a member has no safety reading. */
  readonly binary: PanelBinaryAgreement | null;
  /** Spearman's rho of the two scores; null unless both members give graded scores (neither is a classifier). */
  readonly rank: PanelRankAgreement | null;
}

/** The 2 × 2 table of two members' safe/unsafe readings, with percent agreement and Cohen's kappa. */
export interface PanelBinaryAgreement {
  readonly n: number;
  readonly bothSafe: number;
  readonly bothUnsafe: number;
  /** The first member reads unsafe, the second safe. */
  readonly firstOnlyUnsafe: number;
  readonly secondOnlyUnsafe: number;
  /** (bothSafe + bothUnsafe) / n; null when n = 0. */
  readonly percentAgreement: number | null;
  /** Cohen's kappa (unweighted, two categories); null with the reason when undefined. */
  readonly kappa: number | null;
  readonly notAvailable?: NotAvailableFields<"kappa">;
}

export interface PanelRankAgreement {
  readonly n: number;
  readonly spearman: number | null;
  readonly notAvailable?: NotAvailableFields<"spearman">;
}

/**
 * The panel view (decision 0029): every judge on every rubric that scored the run's multi-turn turns, and every pair of
 * them over the turns both scored. Present when the panel spans two or more rubrics.
 */
export interface PanelAgreement {
  /** The run's pass threshold used by `pass-threshold` readings. */
  readonly passThreshold: number;
  readonly members: readonly PanelMember[];
  readonly pairs: readonly PanelPair[];
}
