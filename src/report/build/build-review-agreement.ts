import { AgreementAccumulator, notAvailable, PairAgreementAccumulator } from "../../analysis/index.js";
import { DEFAULT_RUBRIC } from "../../judges/index.js";
import type { RunRecord } from "../../store/index.js";
import type { HumanReviewSummary } from "../model/agreement-model.js";
import { valuesWithReasons } from "./not-available.js";
import { TURN_STATE, type TurnTable } from "./turn-table.js";

/** The rater "the mean of the judges' valid scores" (the turn score a report uses without reviews). */
export const JUDGES_MEAN = "judges-mean";

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
