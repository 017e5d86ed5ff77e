/**
 * Property-based tests of the descriptive statistics, histograms, bootstrap, binomial sampler, p-value adjustments
 * and Kaplan–Meier (fast-check, fixed seed). Random finite input gives values in range (quantiles and intervals within
 * min..max, p-values in [0, 1], survival in [0, 1] and non-increasing); non-finite input is a prompt RangeError (under
 * a watchdog, so a loop fails instead of hanging); and the committed numpy quantile references hold in any order.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { returnsWithin } from "../../test/support/returns-within.js";
import { binomialSampler } from "./binomial.js";
import { bootstrapMeanInterval, bootstrapRateInterval } from "./bootstrap.js";
import { mean, median, standardError } from "./descriptive.js";
import { cohensD, holm } from "./effect-size.js";
import { Histogram, HistogramCounter } from "./histogram.js";
import { bonferroni } from "./mann-whitney.js";
import { kaplanMeier, TURN_OBSERVATION, type TurnObservation } from "./survival.js";

const RUNS = { seed: 20261202, numRuns: 300 } as const;
const score = fc.oneof(
  fc.integer({ min: 0, max: 10 }),
  fc.integer({ min: -20, max: 20 }).map((half) => half / 2),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
);
const values = (minLength = 0, maxLength = 60) => fc.array(score, { minLength, maxLength });
const nonFinite = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY);
const level = fc.double({ min: 0, max: 1, noNaN: true });

/** A RangeError, promptly. */
function rejects(compute: () => unknown): void {
  expect(() => returnsWithin(1000, compute)).toThrow(RangeError);
}

describe("descriptive statistics and histograms on random finite values", () => {
  it("mean, median and every quantile lie within min..max; quantiles rise with q; histogram = values", () => {
    fc.assert(
      fc.property(values(1), level, level, (sample, q1, q2) => {
        const low = Math.min(...sample);
        const high = Math.max(...sample);
        const histogram = Histogram.of(sample);
        for (const value of [
          mean(sample),
          median(sample),
          histogram.quantile(q1),
          histogram.quantile(q2),
          histogram.mean(),
        ]) {
          expect(value).not.toBeNull();
          // Rounding of a mean of large doubles can step past an extreme by an ulp or so.
          expect(value ?? Number.NaN).toBeGreaterThanOrEqual(low - 1e-9 * Math.max(1, Math.abs(low)));
          expect(value ?? Number.NaN).toBeLessThanOrEqual(high + 1e-9 * Math.max(1, Math.abs(high)));
        }
        const [lower, upper] = q1 <= q2 ? [q1, q2] : [q2, q1];
        expect(histogram.quantile(lower) ?? Number.NaN).toBeLessThanOrEqual(histogram.quantile(upper) ?? Number.NaN);
        const middle = median(sample) ?? Number.NaN;
        expect(Math.abs((histogram.quantile(0.5) ?? Number.NaN) - middle)).toBeLessThanOrEqual(
          1e-12 * Math.max(1, Math.abs(middle)),
        );
        expect(histogram.quantile(0)).toBe(low);
        expect(histogram.quantile(1)).toBe(high);
        const sem = standardError(sample);
        if (sample.length < 2) expect(sem).toBeNull();
        else expect(sem ?? Number.NaN).toBeGreaterThanOrEqual(0);
        const counter = new HistogramCounter();
        for (const value of sample) counter.add(value);
        expect([...counter.histogram().values]).toEqual([...histogram.values]);
        return true;
      }),
      RUNS,
    );
  });

  it("non-finite values are a RangeError: descriptive statistics, histograms, Cohen's d", () => {
    fc.assert(
      fc.property(values(), nonFinite, fc.nat(), (sample, bad, at) => {
        const poisoned = [...sample];
        poisoned.splice(at % (sample.length + 1), 0, bad);
        rejects(() => mean(poisoned));
        rejects(() => median(poisoned));
        rejects(() => standardError(poisoned));
        rejects(() => Histogram.of(poisoned));
        rejects(() => {
          const counter = new HistogramCounter();
          for (const value of poisoned) counter.add(value);
        });
        rejects(() => cohensD(poisoned, [1, 2, 3]));
        rejects(() => Histogram.of([1, 2, 3]).quantile(bad));
        return true;
      }),
      RUNS,
    );
  });
});

describe("bootstrap and the binomial sampler", () => {
  const settings = { resamples: 200, seed: 7, confidence: 0.95 };
  it("intervals lie within min..max with low ≤ high; a rate's within [0, 1]", () => {
    fc.assert(
      fc.property(values(1, 30), fc.nat({ max: 50 }), fc.nat({ max: 50 }), (sample, a, b) => {
        const interval = returnsWithin(2000, () => bootstrapMeanInterval(Histogram.of(sample), settings, "key"));
        const tolerance = 1e-9 * Math.max(1, ...sample.map(Math.abs));
        expect(interval?.low ?? Number.NaN).toBeGreaterThanOrEqual(Math.min(...sample) - tolerance);
        expect(interval?.high ?? Number.NaN).toBeLessThanOrEqual(Math.max(...sample) + tolerance);
        expect(interval?.low ?? Number.NaN).toBeLessThanOrEqual(interval?.high ?? Number.NaN);
        const [count, n] = a <= b ? [a, b] : [b, a];
        const rate = returnsWithin(2000, () => bootstrapRateInterval(count, n, settings, "rate"));
        if (n === 0) expect(rate).toBeNull();
        else {
          expect(rate?.low ?? Number.NaN).toBeGreaterThanOrEqual(0);
          expect(rate?.high ?? Number.NaN).toBeLessThanOrEqual(1);
        }
        return true;
      }),
      RUNS,
    );
  });

  it("a binomial draw is a whole number in [0, trials]; NaN or infinite arguments are a RangeError, not a loop", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        level,
        nonFinite,
        fc.integer(),
        (trials, probability, bad, seed) => {
          const draw = binomialSampler(seed);
          const value = returnsWithin(1000, () => draw(trials, probability));
          expect(Number.isInteger(value)).toBe(true);
          expect(value).toBeGreaterThanOrEqual(0);
          expect(value).toBeLessThanOrEqual(trials);
          rejects(() => draw(trials, bad));
          rejects(() => draw(bad, probability));
          return true;
        },
      ),
      RUNS,
    );
  });
});

describe("p-value adjustments", () => {
  it("Holm and Bonferroni: each adjusted p in [p, 1]; Holm ≤ Bonferroni; out-of-range p is a RangeError", () => {
    fc.assert(
      fc.property(
        fc.array(level, { maxLength: 30 }),
        fc.oneof(nonFinite, fc.constantFrom(-0.1, 1.5)),
        (pValues, bad) => {
          const byHolm = holm(pValues);
          const byBonferroni = bonferroni(pValues);
          pValues.forEach((p, index) => {
            for (const adjusted of [byHolm[index], byBonferroni[index]]) {
              expect(adjusted ?? Number.NaN).toBeGreaterThanOrEqual(p);
              expect(adjusted ?? Number.NaN).toBeLessThanOrEqual(1);
            }
            expect(byHolm[index] ?? Number.NaN).toBeLessThanOrEqual(byBonferroni[index] ?? Number.NaN);
          });
          rejects(() => holm([...pValues, bad]));
          rejects(() => bonferroni([bad, ...pValues]));
          return true;
        },
      ),
      RUNS,
    );
  });
});

describe("Kaplan–Meier on random observation tables", () => {
  const observation = fc.constantFrom<TurnObservation>(
    TURN_OBSERVATION.passed,
    TURN_OBSERVATION.failed,
    TURN_OBSERVATION.missing,
  );
  it("survival is in [0, 1] and non-increasing; 0 stays 0; null only when censoring empties the risk set", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.array(observation, { minLength: 6, maxLength: 6 }), { maxLength: 40 }),
        (turns, table) => {
          const points = returnsWithin(1000, () =>
            kaplanMeier(
              table.length,
              turns,
              (conversation, turn) => table[conversation]?.[turn] ?? TURN_OBSERVATION.missing,
            ),
          );
          expect(points).toHaveLength(turns);
          let previous: number | null = 1;
          for (const point of points) {
            if (previous === null) expect(point.survival).toBeNull();
            else if (previous === 0) expect(point.survival).toBe(0);
            else if (point.atRisk === 0) expect(point.survival).toBeNull();
            else {
              expect(point.survival ?? Number.NaN).toBeGreaterThanOrEqual(0);
              expect(point.survival ?? Number.NaN).toBeLessThanOrEqual(previous);
            }
            previous = point.survival;
          }
          // Without any censoring, S(t) is the share of conversations not failed by turn t.
          if (
            table.every((row) => row.slice(0, turns).every((value) => value !== TURN_OBSERVATION.missing)) &&
            table.length > 0
          ) {
            points.forEach((point, turn) => {
              const alive = table.filter((row) =>
                row.slice(0, turn + 1).every((value) => value === TURN_OBSERVATION.passed),
              ).length;
              expect(point.survival ?? Number.NaN).toBeCloseTo(alive / table.length, 12);
            });
          }
          return true;
        },
      ),
      RUNS,
    );
  });
});

interface QuantileCase {
  readonly name: string;
  readonly x: number[];
  readonly q: number[];
  readonly expected: number[];
}
const quantiles = (
  JSON.parse(readFileSync(new URL("./fixtures/bootstrap.json", import.meta.url), "utf8")) as {
    quantiles: QuantileCase[];
  }
).quantiles;

describe("numpy.percentile references (fixtures/bootstrap.json) in any order", () => {
  for (const reference of quantiles) {
    it(`${reference.name}: every quantile within 1e-12`, () => {
      const indices = Array.from({ length: reference.x.length }, (_, index) => index);
      fc.assert(
        fc.property(fc.shuffledSubarray(indices, { minLength: indices.length, maxLength: indices.length }), (order) => {
          const histogram = Histogram.of(order.map((index) => reference.x[index] ?? 0));
          for (const [index, q] of reference.q.entries())
            expect(
              Math.abs((histogram.quantile(q) ?? Number.NaN) - (reference.expected[index] ?? Number.NaN)),
            ).toBeLessThan(1e-12);
        }),
        { seed: 20261202, numRuns: 25 },
      );
    });
  }
});
