import { describe, expect, it } from "vitest";
import { returnsWithin } from "../../test/support/returns-within.js";
import { PairAgreementAccumulator } from "./agreement.js";
import { AgreementAccumulator } from "./agreement-accumulator.js";
import { binomialSampler } from "./binomial.js";
import { bootstrapMeanInterval, bootstrapRateInterval, percentileInterval } from "./bootstrap.js";
import { mean, median, rate, standardError, summarize } from "./descriptive.js";
import { cohensD, holm } from "./effect-size.js";
import { friedmanChiSquare, kruskalWallis, kruskalWallisHistograms } from "./friedman-kruskal.js";
import { Histogram, HistogramCounter, sortedQuantile } from "./histogram.js";
import { bonferroni, mannWhitneyU, mannWhitneyUHistograms } from "./mann-whitney.js";
import { averageRanks } from "./ranks.js";
import { kaplanMeier, TURN_OBSERVATION, type TurnObservation } from "./survival.js";
import { wilcoxonSignedRank } from "./wilcoxon.js";

const NON_FINITE = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

/** Throws a RangeError (a clear "this input is invalid"), and does so promptly: never a hang, never a number. */
function rejects(compute: () => unknown, message: RegExp = /finite/): void {
  expect(() => returnsWithin(2000, compute)).toThrow(RangeError);
  expect(() => returnsWithin(2000, compute)).toThrow(message);
}

describe("non-finite input is rejected with a RangeError naming the function (issue 12, item 18)", () => {
  for (const bad of NON_FINITE) {
    describe(`with ${bad}`, () => {
      it("mannWhitneyUHistograms returns (it looped forever on NaN): such a histogram cannot even be built", () => {
        rejects(
          () =>
            mannWhitneyUHistograms(
              Histogram.fromSorted(Float64Array.of(1, bad), Float64Array.of(1, 1)),
              Histogram.of([2, 3]),
            ),
          /Histogram\.fromSorted/,
        );
        rejects(() => mannWhitneyUHistograms(Histogram.of([2, 3]), Histogram.of([bad, bad])), /Histogram\.of/);
      });
      it("mannWhitneyU, wilcoxonSignedRank, kruskalWallis, friedmanChiSquare", () => {
        rejects(() => mannWhitneyU([1, 2, bad], [3, 4, 5]), /mannWhitneyU/);
        rejects(() => mannWhitneyU([1, 2, 3], [bad]));
        rejects(() => wilcoxonSignedRank([1, 2, bad, 4], [2, 2, 2, 2]), /wilcoxonSignedRank/);
        rejects(() => wilcoxonSignedRank([1, 2, 3], [0, bad, 1]));
        rejects(
          () =>
            kruskalWallis([
              [1, bad],
              [3, 4],
            ]),
          /kruskalWallis/,
        );
        rejects(() =>
          kruskalWallisHistograms([
            Histogram.fromSorted(Float64Array.of(bad), Float64Array.of(1)),
            Histogram.of([1, 2]),
          ]),
        );
        rejects(
          () =>
            friedmanChiSquare([
              [1, 2, 3],
              [2, bad, 1],
              [3, 1, 2],
            ]),
          /friedmanChiSquare/,
        );
      });
      it("mean, median, standardError, summarize, cohensD, averageRanks", () => {
        rejects(() => mean([1, bad]), /mean/);
        rejects(() => median([1, bad, 3]), /median/);
        rejects(() => standardError([1, 2, bad]));
        rejects(() => summarize([bad]));
        rejects(() => cohensD([1, 2, bad], [3, 4]), /cohensD/);
        rejects(() => averageRanks([1, bad]));
      });
      it("histograms, quantiles and bootstrap intervals", () => {
        rejects(() => Histogram.of([1, bad]), /Histogram/);
        rejects(() => new HistogramCounter().add(bad), /HistogramCounter/);
        rejects(() => Histogram.of([1, 2, 3]).quantile(bad), /quantile/i);
        rejects(() => sortedQuantile([1, 2, 3], bad), /quantile/i);
        rejects(() => percentileInterval(Float64Array.of(1, 2, 3), bad), /confidence/);
        rejects(
          () => bootstrapMeanInterval(Histogram.of([1, 2, 3]), { resamples: 10, seed: 1, confidence: bad }, "k"),
          /confidence/,
        );
        rejects(
          () => bootstrapRateInterval(bad, 10, { resamples: 10, seed: 1, confidence: 0.95 }, "k"),
          /bootstrapRateInterval/,
        );
      });
      it("the binomial sampler (it looped forever on a NaN probability or infinite trials)", () => {
        const draw = binomialSampler(1);
        rejects(() => draw(50, bad), /binomial/);
        rejects(() => draw(bad, 0.3), /binomial/);
      });
      it("p-value adjustments, rates, agreement accumulators", () => {
        rejects(() => holm([0.01, bad]), /holm/);
        rejects(() => bonferroni([bad, 0.2]), /bonferroni/);
        rejects(() => rate(bad, 10), /rate/);
        rejects(() => new PairAgreementAccumulator(3).add(1, bad), /PairAgreementAccumulator/);
      });
      it("Kaplan–Meier sizes (an infinite turn count looped forever)", () => {
        rejects(() => kaplanMeier(2, bad, () => TURN_OBSERVATION.passed), /kaplanMeier/);
        rejects(() => kaplanMeier(bad, 2, () => TURN_OBSERVATION.passed), /kaplanMeier/);
      });
    });
  }

  it("infinite scores in the agreement accumulator are rejected; NaN and null stay 'no score'", () => {
    rejects(
      () => new AgreementAccumulator(2, { min: 0, max: 10 }).add([1, Number.POSITIVE_INFINITY]),
      /AgreementAccumulator/,
    );
    const accumulator = new AgreementAccumulator(2, { min: 0, max: 10 });
    accumulator.add([1, Number.NaN]);
    accumulator.add([null, 2]);
    expect(accumulator.incompleteTurns).toBe(2);
    expect(accumulator.completeTurns).toBe(0);
  });

  it("out-of-range p-values, confidence levels, rates and observations are rejected too", () => {
    rejects(() => holm([0.5, 1.5]), /\[0, 1\]/);
    rejects(() => bonferroni([-0.1]), /\[0, 1\]/);
    rejects(() => percentileInterval(Float64Array.of(1, 2), 1), /confidence/);
    rejects(() => rate(3, 2), /rate/);
    rejects(() => binomialSampler(1)(10, 1.5), /binomial/);
    rejects(() => binomialSampler(1)(2.5, 0.5), /binomial/);
    rejects(() => kaplanMeier(1, 1, () => 7 as TurnObservation), /kaplanMeier/);
    rejects(() => Histogram.of([1, 2]).quantile(1.5), /quantile/);
  });
});
