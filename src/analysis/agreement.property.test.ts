/**
 * Property-based tests of the agreement statistics (fast-check, fixed seed). Random score matrices give ICC(2,1)
 * ≤ 1 (it has no lower bound: tiny samples fall below −1), kappa and alpha ≤ 1, Spearman's ρ in [−1, 1], the
 * reliability of the judges' mean in [0, 1] or a reason (never a throw), the running sums equal the matrix functions;
 * infinite scores are a RangeError; and reordering the committed numpy/SciPy reference matrices changes nothing.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { returnsWithin } from "../../test/support/returns-within.js";
import { PairAgreementAccumulator } from "./agreement.js";
import { AgreementAccumulator } from "./agreement-accumulator.js";
import {
  dropIncompleteRows,
  icc21,
  krippendorffAlphaInterval,
  meanRaterReliability,
  quadraticWeightedKappa,
  spearmanRho,
} from "./agreement-stats.js";
import { NOT_AVAILABLE_CODES } from "./estimate.js";

const RUNS = { seed: 20261202, numRuns: 300 } as const;
const SCALE = { min: 0, max: 10 } as const;

/** k judges' integer scores on 0–10 for n turns, some missing (null or NaN, as the report passes them). */
const ratings = (maxTurns: number) =>
  fc
    .integer({ min: 2, max: 4 })
    .chain((k) =>
      fc.array(
        fc.array(
          fc.oneof(
            { weight: 8, arbitrary: fc.integer({ min: 0, max: 10 }) },
            { weight: 1, arbitrary: fc.constantFrom(null, Number.NaN) },
          ),
          { minLength: k, maxLength: k },
        ),
        { maxLength: maxTurns },
      ),
    );
/** Both null, or within `tolerance` relative to max(1, |expected|). */
const closeOrBothNull = (actual: number | null, expected: number | null, tolerance = 1e-9): boolean =>
  actual === null
    ? expected === null
    : expected !== null && Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected));

describe("agreement statistics on random ratings", () => {
  it("ICC(2,1) ≤ 1, alpha ≤ 1, kappa in [−1, 1]; the accumulator equals the matrix functions", () => {
    fc.assert(
      fc.property(ratings(30), (rows) => {
        const k = rows[0]?.length ?? 2;
        const accumulator = new AgreementAccumulator(k, SCALE);
        for (const row of rows) accumulator.add(row);
        const complete = dropIncompleteRows(rows).rows;
        const icc = accumulator.icc21();
        if (icc !== null) expect(icc).toBeLessThanOrEqual(1);
        expect(closeOrBothNull(icc, complete.length >= 2 ? icc21(complete) : null)).toBe(true);
        const alpha = accumulator.krippendorffAlpha();
        if (alpha !== null) expect(alpha).toBeLessThanOrEqual(1 + 1e-12);
        const units = rows.map((row) => row.map((value) => (value === null || Number.isNaN(value) ? null : value)));
        expect(closeOrBothNull(alpha, krippendorffAlphaInterval(units))).toBe(true);
        const [first] = accumulator.kappaEstimates();
        const both = rows.filter(
          (row) =>
            typeof row[0] === "number" && typeof row[1] === "number" && !Number.isNaN(row[0]) && !Number.isNaN(row[1]),
        ) as number[][];
        const kappa = quadraticWeightedKappa(
          both.map((row) => row[0] ?? 0),
          both.map((row) => row[1] ?? 0),
          SCALE.min,
          SCALE.max,
        );
        expect(closeOrBothNull(first?.kappa.value ?? null, kappa)).toBe(true);
        if (kappa !== null) expect(Math.abs(kappa)).toBeLessThanOrEqual(1 + 1e-12);
        for (const estimate of [accumulator.icc21Estimate(), accumulator.krippendorffAlphaEstimate(), first?.kappa]) {
          if (estimate?.value === null) expect(NOT_AVAILABLE_CODES).toContain(estimate.notAvailable);
        }
        return true;
      }),
      RUNS,
    );
  });

  it("the reliability of the judges' mean is in [0, 1] or not available with a reason, and never throws", () => {
    fc.assert(
      fc.property(ratings(6), (rows) => {
        const k = rows[0]?.length ?? 2;
        const accumulator = new AgreementAccumulator(k, SCALE);
        for (const row of rows) accumulator.add(row);
        const icc = accumulator.icc21Estimate();
        const reliability = returnsWithin(1000, () => meanRaterReliability(icc, k));
        if (reliability.value === null) {
          expect(NOT_AVAILABLE_CODES).toContain(reliability.notAvailable);
          if (icc.value !== null) expect(icc.value).toBeLessThan(0);
        } else {
          expect(reliability.value).toBeGreaterThanOrEqual(0);
          expect(reliability.value).toBeLessThanOrEqual(1);
          expect(reliability.value).toBeGreaterThanOrEqual((icc.value ?? 0) - 1e-12);
        }
        return true;
      }),
      RUNS,
    );
  });

  it("Spearman's ρ is in [−1, 1] or null; mean |a − b| is non-negative", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 10 })), {
          maxLength: 40,
        }),
        (pairs) => {
          const rho = spearmanRho(
            pairs.map(([x]) => x),
            pairs.map(([, y]) => y),
          );
          if (rho !== null) expect(Math.abs(rho)).toBeLessThanOrEqual(1);
          const difference = new PairAgreementAccumulator(3);
          for (const [a, b] of pairs) difference.add(a, b);
          const { meanAbsoluteDifference } = difference.result();
          if (meanAbsoluteDifference !== null) expect(meanAbsoluteDifference).toBeGreaterThanOrEqual(0);
          return true;
        },
      ),
      RUNS,
    );
  });

  it("infinite scores are a RangeError wherever they are", () => {
    fc.assert(
      fc.property(
        ratings(8),
        fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
        fc.nat(),
        (rows, bad, at) => {
          if (rows.length === 0) return true;
          const row = [...(rows[at % rows.length] ?? [])];
          row[at % row.length] = bad;
          const accumulator = new AgreementAccumulator(row.length, SCALE);
          expect(() => returnsWithin(1000, () => accumulator.add(row))).toThrow(RangeError);
          expect(() =>
            returnsWithin(1000, () => icc21([row.map((value) => value ?? 0), row.map((value) => value ?? 0)])),
          ).toThrow(RangeError);
          expect(() =>
            returnsWithin(1000, () =>
              spearmanRho(
                row.map((value) => value ?? 0),
                row.map(() => 1),
              ),
            ),
          ).toThrow(RangeError);
          return true;
        },
      ),
      RUNS,
    );
  });
});

interface MatrixCase {
  readonly name: string;
  readonly scores: number[][];
  readonly icc21: number | null;
  readonly alphaInterval: number | null;
}
const reference = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "agreement.json"), "utf8")) as {
  matrices: MatrixCase[];
};
const permutation = (n: number) =>
  fc.shuffledSubarray(
    Array.from({ length: n }, (_, index) => index),
    { minLength: n, maxLength: n },
  );

describe("the numpy/SciPy reference matrices (fixtures/agreement.json) with items and judges in any order", () => {
  for (const matrix of reference.matrices) {
    it(`${matrix.name}: ICC(2,1) and alpha within 1e-9, matrix and running sums`, () => {
      const judges = matrix.scores[0]?.length ?? 0;
      fc.assert(
        fc.property(permutation(matrix.scores.length), permutation(judges), (rowOrder, columnOrder) => {
          const scores = rowOrder.map((row) => columnOrder.map((column) => matrix.scores[row]?.[column] ?? Number.NaN));
          const accumulator = new AgreementAccumulator(judges, undefined);
          for (const row of scores) accumulator.add(row);
          expect(closeOrBothNull(icc21(scores), matrix.icc21)).toBe(true);
          expect(closeOrBothNull(accumulator.icc21(), matrix.icc21)).toBe(true);
          expect(closeOrBothNull(krippendorffAlphaInterval(scores), matrix.alphaInterval)).toBe(true);
          expect(closeOrBothNull(accumulator.krippendorffAlpha(), matrix.alphaInterval)).toBe(true);
        }),
        { seed: 20261202, numRuns: 25 },
      );
    });
  }
});
