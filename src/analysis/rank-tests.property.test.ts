/**
 * Property-based tests of the rank tests (fast-check, fixed seed; fast-check prints the seed and the shrunk case on
 * failure). Random finite samples give p in [0, 1] and statistics in range; the histogram forms equal the tests on
 * the values; any non-finite value is a RangeError, returned promptly (run under a watchdog, so a loop fails the
 * test instead of hanging the run); and reordering the committed SciPy reference cases changes nothing.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { returnsWithin } from "../../test/support/returns-within.js";
import { chiSquareUpperTail, friedmanChiSquare, kruskalWallis, kruskalWallisHistograms } from "./friedman-kruskal.js";
import { Histogram } from "./histogram.js";
import { mannWhitneyU, mannWhitneyUHistograms } from "./mann-whitney.js";
import { averageRanks } from "./ranks.js";
import { wilcoxonSignedRank } from "./wilcoxon.js";

const RUNS = { seed: 20261202, numRuns: 300 } as const;

/** Scores as reports see them (integers 0–10, halves: many ties) and arbitrary finite doubles. */
const score = fc.oneof(
  fc.integer({ min: 0, max: 10 }),
  fc.integer({ min: 0, max: 20 }).map((half) => half / 2),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
);
const sample = (maxLength: number, minLength = 0) => fc.array(score, { minLength, maxLength });
const nonFinite = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY);
/** A sample with one non-finite value put somewhere in it. */
const poisoned = (maxLength: number) =>
  fc.tuple(sample(maxLength), nonFinite, fc.nat()).map(([values, bad, at]) => {
    const copy = [...values];
    copy.splice(at % (copy.length + 1), 0, bad);
    return copy;
  });

function inUnitInterval(p: number): boolean {
  return p >= 0 && p <= 1;
}

/** Throws a RangeError within a second (a hang or any other outcome fails). */
function expectRejected(compute: () => unknown): void {
  expect(() => returnsWithin(1000, compute)).toThrow(RangeError);
}

describe("rank tests on random finite samples", () => {
  it("Mann–Whitney: p in [0, 1], 0 ≤ U ≤ n1·n2, the histogram form equal", () => {
    fc.assert(
      fc.property(sample(40), sample(40), (first, second) => {
        const direct = returnsWithin(2000, () => mannWhitneyU(first, second));
        const binned = returnsWithin(2000, () => mannWhitneyUHistograms(Histogram.of(first), Histogram.of(second)));
        if (first.length === 0 || second.length === 0) return direct === null && binned === null;
        if (direct === null || binned === null) return false;
        expect(inUnitInterval(direct.pValue)).toBe(true);
        expect(direct.u).toBeGreaterThanOrEqual(0);
        expect(direct.u).toBeLessThanOrEqual(first.length * second.length);
        expect(binned.method).toBe(direct.method);
        expect(binned.u).toBeCloseTo(direct.u, 6);
        expect(Math.abs(binned.pValue - direct.pValue)).toBeLessThan(1e-9);
        return true;
      }),
      RUNS,
    );
  });

  it("Wilcoxon signed-rank: p in [0, 1], 0 ≤ statistic ≤ n(n + 1)/4", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(score, score), { maxLength: 30 }), (pairs) => {
        const result = returnsWithin(2000, () =>
          wilcoxonSignedRank(
            pairs.map(([a]) => a),
            pairs.map(([, b]) => b),
          ),
        );
        if (result === null) return pairs.every(([a, b]) => a - b === 0);
        expect(inUnitInterval(result.pValue)).toBe(true);
        expect(result.statistic).toBeGreaterThanOrEqual(0);
        expect(result.statistic).toBeLessThanOrEqual((result.n * (result.n + 1)) / 4 + 1e-9);
        return true;
      }),
      RUNS,
    );
  });

  it("Wilcoxon beyond 50 pairs (counted per distinct |d|) equals the normal approximation on element-wise ranks", () => {
    const gridScore = fc.oneof(
      fc.integer({ min: 0, max: 10 }),
      fc.integer({ min: 0, max: 20 }).map((half) => half / 2),
    );
    const pair = fc.tuple(fc.oneof(gridScore, score), fc.oneof(gridScore, score));
    fc.assert(
      fc.property(fc.array(pair, { minLength: 51, maxLength: 400 }), (pairs) => {
        const first = pairs.map(([a]) => a);
        const second = pairs.map(([, b]) => b);
        const result = wilcoxonSignedRank(first, second);
        const differences = pairs.map(([a, b]) => a - b).filter((difference) => difference !== 0);
        if (differences.length === 0) return result === null;
        const { ranks, tieTerm } = averageRanks(differences.map(Math.abs));
        const n = differences.length;
        const plus = differences.reduce(
          (sum, difference, index) => sum + (difference > 0 ? (ranks[index] ?? 0) : 0),
          0,
        );
        const minus = differences.reduce(
          (sum, difference, index) => sum + (difference < 0 ? (ranks[index] ?? 0) : 0),
          0,
        );
        const z = (plus - (n * (n + 1)) / 4) / Math.sqrt((n * (n + 1) * (2 * n + 1) - tieTerm / 2) / 24);
        expect(result?.method).toBe("asymptotic");
        expect(result?.n).toBe(n);
        expect(result?.statistic).toBeCloseTo(Math.min(plus, minus), 6);
        expect(result?.pValue).toBeCloseTo(Math.min(1, 2 * normalCdf(-Math.abs(z), 0, 1)), 12);
        return true;
      }),
      { ...RUNS, numRuns: 200 },
    );
  });

  it("Kruskal–Wallis: H ≥ 0, p in [0, 1], the histogram form equal", () => {
    fc.assert(
      fc.property(fc.array(sample(25, 1), { minLength: 2, maxLength: 5 }), (groups) => {
        const direct = kruskalWallis(groups);
        const binned = kruskalWallisHistograms(groups.map((group) => Histogram.of(group)));
        if (direct === null) return binned === null;
        expect(direct.statistic).toBeGreaterThanOrEqual(0);
        expect(inUnitInterval(direct.pValue)).toBe(true);
        expect(direct.degreesOfFreedom).toBe(groups.length - 1);
        expect(binned?.statistic).toBeCloseTo(direct.statistic, 6);
        expect(Math.abs((binned?.pValue ?? Number.NaN) - direct.pValue)).toBeLessThan(1e-9);
        return true;
      }),
      RUNS,
    );
  });

  it("Friedman: χ² ≥ 0 (it went negative on NaN), p in [0, 1]", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 6 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(score, { minLength: 120, maxLength: 120 }),
        (k, n, pool) => {
          const groups = Array.from({ length: k }, (_, group) =>
            Array.from({ length: n }, (_, block) => pool[(group * n + block) % pool.length] ?? 0),
          );
          const result = friedmanChiSquare(groups);
          if (result === null) return true;
          expect(result.statistic).toBeGreaterThanOrEqual(0);
          expect(inUnitInterval(result.pValue)).toBe(true);
          return true;
        },
      ),
      RUNS,
    );
  });

  it("the chi-square upper tail is in [0, 1], never increases with x, and is exp(−x/2) for 2 degrees of freedom", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1400, noNaN: true }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        fc.integer({ min: 1, max: 30 }),
        (x, step, df) => {
          const p = chiSquareUpperTail(x, df);
          expect(inUnitInterval(p)).toBe(true);
          // Non-increasing up to the last bit (the incomplete gamma function rounds to within a few ulps).
          expect(chiSquareUpperTail(x + step, df)).toBeLessThanOrEqual(p * (1 + 1e-14));
          const closedForm = Math.exp(-x / 2);
          if (closedForm > 0) expect(Math.abs(chiSquareUpperTail(x, 2) - closedForm) / closedForm).toBeLessThan(1e-12);
          return true;
        },
      ),
      RUNS,
    );
  });
});

describe("rank tests on non-finite input: a prompt RangeError, never a hang or a number", () => {
  it("every test, with NaN or ±∞ anywhere", () => {
    fc.assert(
      fc.property(poisoned(12), sample(12, 1), (bad, good) => {
        expectRejected(() => mannWhitneyU(bad, good));
        expectRejected(() => mannWhitneyU(good, bad));
        expectRejected(() => mannWhitneyUHistograms(Histogram.of(bad), Histogram.of(good)));
        expectRejected(() => kruskalWallis([good, bad]));
        const paired = bad.map((_, index) => good[index % good.length] ?? 0);
        expectRejected(() => wilcoxonSignedRank(bad, paired));
        expectRejected(() => friedmanChiSquare([bad, paired, paired]));
        return true;
      }),
      RUNS,
    );
  });
});

interface PairedCase {
  readonly name: string;
  readonly x: number[];
  readonly y: number[];
  readonly statistic: number;
  readonly p: number;
}
interface GroupsCase {
  readonly name: string;
  readonly groups: number[][];
  readonly statistic: number;
  readonly p: number;
}
interface MannWhitneyCase {
  readonly name: string;
  readonly x: number[];
  readonly y: number[];
  readonly u: number;
  readonly p: number;
}
const paired = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "paired-tests.json"), "utf8")) as {
  wilcoxon: PairedCase[];
  friedman: GroupsCase[];
  kruskal: GroupsCase[];
};
const mannWhitney = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "mann-whitney.json"), "utf8")) as {
  cases: MannWhitneyCase[];
};

/** A permutation of 0..n−1 (fast-check shrinks it towards the identity). */
const permutation = (n: number) =>
  fc.shuffledSubarray(
    Array.from({ length: n }, (_, index) => index),
    { minLength: n, maxLength: n },
  );
const FIXTURE_RUNS = { seed: 20261202, numRuns: 25 } as const;

describe("the SciPy reference cases (fixtures/) in any order: same statistic and p within 1e-9", () => {
  for (const reference of mannWhitney.cases) {
    it(`Mann–Whitney, ${reference.name}: each sample shuffled`, () => {
      fc.assert(
        fc.property(permutation(reference.x.length), permutation(reference.y.length), (orderX, orderY) => {
          const result = mannWhitneyU(
            orderX.map((index) => reference.x[index] ?? 0),
            orderY.map((index) => reference.y[index] ?? 0),
          );
          expect(Math.abs((result?.u ?? Number.NaN) - reference.u)).toBeLessThan(1e-9);
          expect(Math.abs((result?.pValue ?? Number.NaN) - reference.p)).toBeLessThan(1e-9);
        }),
        FIXTURE_RUNS,
      );
    });
  }
  for (const reference of paired.wilcoxon) {
    it(`Wilcoxon, ${reference.name}: pairs shuffled`, () => {
      fc.assert(
        fc.property(permutation(reference.x.length), (order) => {
          const result = wilcoxonSignedRank(
            order.map((index) => reference.x[index] ?? 0),
            order.map((index) => reference.y[index] ?? 0),
          );
          expect(Math.abs((result?.statistic ?? Number.NaN) - reference.statistic)).toBeLessThan(1e-9);
          expect(Math.abs((result?.pValue ?? Number.NaN) - reference.p)).toBeLessThan(1e-9);
        }),
        FIXTURE_RUNS,
      );
    });
  }
  for (const reference of paired.kruskal) {
    it(`Kruskal–Wallis, ${reference.name}: groups and values shuffled`, () => {
      const sizes = reference.groups.map((group) => group.length);
      fc.assert(
        fc.property(
          permutation(reference.groups.length),
          fc.tuple(...sizes.map((size) => permutation(size))),
          (groupOrder, valueOrders) => {
            const groups = groupOrder.map((group) =>
              (valueOrders[group] ?? []).map((index) => reference.groups[group]?.[index] ?? 0),
            );
            const result = kruskalWallis(groups);
            expect(Math.abs((result?.statistic ?? Number.NaN) - reference.statistic)).toBeLessThan(1e-9);
            expect(Math.abs((result?.pValue ?? Number.NaN) - reference.p)).toBeLessThan(1e-9);
          },
        ),
        FIXTURE_RUNS,
      );
    });
  }
  for (const reference of paired.friedman) {
    it(`Friedman, ${reference.name}: groups and blocks shuffled`, () => {
      const blocks = reference.groups[0]?.length ?? 0;
      fc.assert(
        fc.property(permutation(reference.groups.length), permutation(blocks), (groupOrder, blockOrder) => {
          const groups = groupOrder.map((group) => blockOrder.map((block) => reference.groups[group]?.[block] ?? 0));
          const result = friedmanChiSquare(groups);
          expect(Math.abs((result?.statistic ?? Number.NaN) - reference.statistic)).toBeLessThan(1e-9);
          expect(Math.abs((result?.pValue ?? Number.NaN) - reference.p)).toBeLessThan(1e-9);
        }),
        FIXTURE_RUNS,
      );
    });
  }
});
