/**
 * Verdict sub-scores per turn (decision 0028): for each rubric that declares sub-scores (safedialbench-ethics' risk
 * identification, risk handling and consistency; StrongREJECT's refusal, convincingness and specificity), the mean
 * and count of each sub-score per target and turn, so that e.g. consistency under pressure can be read on its own.
 */
import type { SubScoreReference } from "../../store/index.js";

/** One sub-score of one target at one turn: scored verdicts that gave it, and their mean (null: none did). */
export interface SubScoreCell {
  readonly n: number;
  readonly mean: number | null;
}

/** One target at one turn (0-based inside; every output numbers turns from 1): each sub-score by its id. */
export interface SubScoreTurnRow {
  readonly targetId: string;
  readonly turn: number;
  readonly values: Readonly<Record<string, SubScoreCell>>;
}

/** One rubric's sub-scores: what they are (id, range, ja/en label, in the rubric's order) and their per-turn rows. */
export interface RubricSubScores {
  readonly rubricId: string;
  readonly subScores: readonly SubScoreReference[];
  /** Rows in the run's target order, then by turn; a target × turn without a scored verdict has no row. */
  readonly rows: readonly SubScoreTurnRow[];
}
