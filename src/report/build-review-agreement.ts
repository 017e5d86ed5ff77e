import { AgreementAccumulator, notAvailable, PairAgreementAccumulator } from "../analysis/index.js";
import { DEFAULT_RUBRIC } from "../judges/index.js";
import type { RunRecord } from "../store/index.js";
import { type NotAvailableFields, valuesWithReasons } from "./not-available.js";
import { TURN_STATE, type TurnTable } from "./turn-table.js";

/** The rater "the mean of the judges' valid scores" (the turn score a report uses without reviews). */
export const JUDGES_MEAN = "judges-mean";

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

/**
 * Judge-vs-human agreement over the reviewed turns of the multi-turn rubric, from the turn table (its reviews and
 * each judge's own scores). Null when the run has no reviewed turn and reviews were not asked for, so reports of
 * runs without reviews are unchanged.
 */
export function buildReviewAgreement(
  run: RunRecord,
  table: TurnTable,
  reviewedScoresUsed: boolean,
): HumanReviewSummary | null {
  const reviewedTurns = table.targets.reduce((sum, target) => sum + target.reviews.cells.length, 0);
  if (reviewedTurns === 0 && !reviewedScoresUsed) return null;
  const scale = run.rubrics.find((rubric) => rubric.id === DEFAULT_RUBRIC)?.scale;
  const raters = [
    ...table.judges.map((judge) => ({ rater: judge, kind: "judge" as const })),
    { rater: JUDGES_MEAN, kind: "judges-mean" as const },
  ];
  const sums = raters.map(() => ({
    agreement: new AgreementAccumulator(2, scale),
    difference: new PairAgreementAccumulator(Number.POSITIVE_INFINITY),
  }));
  const pair = new Float64Array(2);
  let turnsScoredByReview = 0;
  for (const target of table.targets) {
    target.reviews.cells.forEach((cell, position) => {
      const human = target.reviews.scores[position] ?? Number.NaN;
      // With --use-reviews every reviewed turn the target answered was scored by its review (turn-table.ts applyReviews).
      if (reviewedScoresUsed && target.states[cell] === TURN_STATE.scored) turnsScoredByReview += 1;
      const judgeScores = table.judges.map((_, judge) => target.judgeScores[judge]?.[cell] ?? Number.NaN);
      const valid = judgeScores.filter((score) => !Number.isNaN(score));
      const mean = valid.length === 0 ? Number.NaN : valid.reduce((sum, score) => sum + score, 0) / valid.length;
      [...judgeScores, mean].forEach((score, rater) => {
        const slot = sums[rater];
        if (slot === undefined || Number.isNaN(score) || Number.isNaN(human)) return;
        pair[0] = score;
        pair[1] = human;
        slot.agreement.add(pair);
        slot.difference.add(score, human);
      });
    });
  }
  return {
    rubricId: DEFAULT_RUBRIC,
    reviewedTurns,
    reviewedScoresUsed,
    turnsScoredByReview,
    agreement: raters.map(({ rater, kind }, position) => {
      const slot = sums[position];
      const difference = slot?.difference.result();
      const empty = notAvailable("too-few-observations");
      return {
        rater,
        kind,
        n: difference?.n ?? 0,
        meanAbsoluteDifference: difference?.meanAbsoluteDifference ?? null,
        ...valuesWithReasons({
          icc21: slot?.agreement.icc21Estimate() ?? empty,
          kappa: scale === undefined ? notAvailable("no-scale") : (slot?.agreement.kappaEstimates()[0]?.kappa ?? empty),
        }),
      };
    }),
  };
}
