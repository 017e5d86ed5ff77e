import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { spendDistribution } from "./spend-distribution.js";

describe("spendDistribution", () => {
  it("mean, median, p90 (type 7, numpy's default), max and total", () => {
    // numpy: np.percentile([0.375, 0.5, 1.125], [50, 90]) = [0.5, 1.0]
    expect(spendDistribution([1.125, 0.375, 0.5])).toEqual({
      n: 3,
      mean: 2 / 3,
      median: 0.5,
      p90: 1,
      max: 1.125,
      total: 2,
    });
    // np.percentile(range(1, 11), 90) = 9.1
    expect(spendDistribution(Array.from({ length: 10 }, (_, index) => index + 1)).p90).toBeCloseTo(9.1, 12);
  });

  it("an empty sample has no statistics, never 0", () => {
    expect(spendDistribution([])).toEqual({ n: 0, mean: null, median: null, p90: null, max: null, total: null });
  });

  it("refuses a non-finite amount", () => {
    expect(() => spendDistribution([1, Number.NaN])).toThrow(RangeError);
  });

  it("the same amounts in any order give the same numbers; median ≤ p90 ≤ max", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 40 }),
        (amounts) => {
          const forward = spendDistribution(amounts);
          expect(spendDistribution([...amounts].reverse())).toEqual(forward);
          expect(forward.median ?? 0).toBeLessThanOrEqual(forward.p90 ?? 0);
          expect(forward.p90 ?? 0).toBeLessThanOrEqual(forward.max ?? 0);
        },
      ),
      { seed: 20261202, numRuns: 200 },
    );
  });
});
