/**
 * Repeated sampling's statistics against hand computations and against brute force: the "fails in any of k"
 * estimator equals the share of k-subsets of the n samples that hold a failing one (every subset enumerated), and the
 * variances follow the law of total variance (fast-check, fixed seed).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { failsInAnyOfK, type ItemEpochs, repeatedSampling } from "./repeated-sampling.js";

const RUNS = { seed: 20261202, numRuns: 300 } as const;

/** The share of k-subsets of `n` samples (the first `c` failing) that hold at least one failing sample. */
function bruteForce(n: number, c: number, k: number): number {
  let subsets = 0;
  let failing = 0;
  const visit = (start: number, chosen: number[]): void => {
    if (chosen.length === k) {
      subsets += 1;
      if (chosen.some((index) => index < c)) failing += 1;
      return;
    }
    for (let index = start; index < n; index += 1) visit(index + 1, [...chosen, index]);
  };
  visit(0, []);
  return failing / subsets;
}

describe("failsInAnyOfK", () => {
  it("matches hand computations", () => {
    // 5 samples, 2 failing, k = 2: 1 − C(3,2)/C(5,2) = 1 − 3/10.
    expect(failsInAnyOfK(5, 2, 2)).toBeCloseTo(0.7, 12);
    // k = 1 is the failing share.
    expect(failsInAnyOfK(4, 1, 1)).toBeCloseTo(0.25, 12);
    // Fewer passing samples than k: every k-subset holds a failure.
    expect(failsInAnyOfK(3, 2, 2)).toBe(1);
    expect(failsInAnyOfK(3, 0, 3)).toBe(0);
  });

  it("equals the share of failing k-subsets, every subset enumerated", () => {
    const cases = fc
      .integer({ min: 1, max: 9 })
      .chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n }), fc.integer({ min: 1, max: n })));
    fc.assert(
      fc.property(cases, ([n, c, k]) => {
        expect(failsInAnyOfK(n, c, k)).toBeCloseTo(bruteForce(n, c, k), 10);
      }),
      RUNS,
    );
  });

  it("never falls as k grows and ends at 1 for an item that ever failed", () => {
    const cases = fc
      .integer({ min: 1, max: 30 })
      .chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n })));
    fc.assert(
      fc.property(cases, ([n, c]) => {
        let previous = 0;
        for (let k = 1; k <= n; k += 1) {
          const value = failsInAnyOfK(n, c, k);
          expect(value).toBeGreaterThanOrEqual(previous - 1e-12);
          previous = value;
        }
        expect(failsInAnyOfK(n, c, n)).toBe(c > 0 ? 1 : 0);
        expect(failsInAnyOfK(n, c, 1)).toBeCloseTo(c / n, 12);
      }),
      RUNS,
    );
  });

  it("rejects impossible counts", () => {
    expect(() => failsInAnyOfK(3, 4, 1)).toThrow(RangeError);
    expect(() => failsInAnyOfK(3, 1, 0)).toThrow(RangeError);
    expect(() => failsInAnyOfK(3, 1, 4)).toThrow(RangeError);
  });
});

describe("repeatedSampling", () => {
  it("matches a hand computation", () => {
    const items: ItemEpochs[] = [
      // Item A: scores 4, 6, 8 (mean 6, squares 4 + 0 + 4 = 8); one of three failed.
      { scores: [4, 6, 8], outcomes: ["passed", "failed", "passed"] },
      // Item B: scores 9, 9, NaN (mean 9, squares 0); the third epoch undecided.
      { scores: [9, 9, Number.NaN], outcomes: ["passed", "passed", "undecided"] },
      // Item C: one scored epoch: no variance; both decided epochs failed.
      { scores: [2, Number.NaN, Number.NaN], outcomes: ["failed", "failed", "undecided"] },
    ];
    const summary = repeatedSampling(3, items);
    expect(summary.items).toBe(3);
    expect(summary.itemsWithVariance).toBe(2);
    expect(summary.conversations).toBe(5);
    // Within: 8 / 5. Total over 4, 6, 8, 9, 9 (mean 7.2): (10.24 + 1.44 + 0.64 + 3.24 + 3.24) / 5 = 18.8 / 5.
    expect(summary.withinItemVariance.value).toBeCloseTo(1.6, 12);
    expect(summary.totalVariance.value).toBeCloseTo(3.76, 12);
    expect(summary.withinShare.value).toBeCloseTo(1.6 / 3.76, 12);
    // k = 1: A 1/3, B 0/2, C 2/2 → (1/3 + 0 + 1) / 3. k = 2: A 1 − C(2,2)/C(3,2) = 2/3, B 0, C 1 → (2/3 + 1) / 3.
    // k = 3: only A has three decided epochs: 1.
    expect(summary.failsInAnyOfK.map((entry) => entry.items)).toEqual([3, 3, 1]);
    expect(summary.failsInAnyOfK[0]?.share).toBeCloseTo((1 / 3 + 1) / 3, 12);
    expect(summary.failsInAnyOfK[1]?.share).toBeCloseTo((2 / 3 + 1) / 3, 12);
    expect(summary.failsInAnyOfK[2]?.share).toBe(1);
  });

  it("says why the variances are missing: no item with two scores, or no spread at all", () => {
    const single = repeatedSampling(2, [{ scores: [5, Number.NaN], outcomes: ["passed", "undecided"] }]);
    expect(single.withinItemVariance.notAvailable).toBe("too-few-observations");
    expect(single.failsInAnyOfK).toEqual([
      { k: 1, items: 1, share: 0 },
      { k: 2, items: 0, share: null },
    ]);
    const flat = repeatedSampling(2, [{ scores: [5, 5], outcomes: ["passed", "passed"] }]);
    expect(flat.withinItemVariance.value).toBe(0);
    expect(flat.withinShare.notAvailable).toBe("no-variance");
  });

  it("splits the total variance into within items and between their means, the share in [0, 1]", () => {
    const score = fc.integer({ min: 0, max: 20 }).map((value) => value / 2);
    const item = fc.array(score, { minLength: 2, maxLength: 5 });
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 8 }), (lists) => {
        const summary = repeatedSampling(
          5,
          lists.map((scores) => ({ scores, outcomes: scores.map(() => "passed" as const) })),
        );
        const all = lists.flat();
        const grand = all.reduce((sum, value) => sum + value, 0) / all.length;
        const between =
          lists.reduce((sum, scores) => {
            const itemMean = scores.reduce((s, value) => s + value, 0) / scores.length;
            return sum + scores.length * (itemMean - grand) ** 2;
          }, 0) / all.length;
        const within = summary.withinItemVariance.value ?? Number.NaN;
        expect(within + between).toBeCloseTo(summary.totalVariance.value ?? Number.NaN, 9);
        const share = summary.withinShare.value;
        if (share !== null) {
          expect(share).toBeGreaterThanOrEqual(0);
          expect(share).toBeLessThanOrEqual(1);
        }
      }),
      RUNS,
    );
  });
});
