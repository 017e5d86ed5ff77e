import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { boxPlotStatistics } from "./box-plot.js";
import { Histogram } from "./histogram.js";

describe("boxPlotStatistics", () => {
  it("is null for no values", () => {
    expect(boxPlotStatistics(Histogram.of([]))).toBeNull();
  });

  it("gives numpy's quartiles and Tukey's whiskers, by hand", () => {
    // Sorted: 1 6 7 7 8 8 9 10. numpy.percentile type 7: q1 = 6.75, median = 7.5, q3 = 8.25; IQR 1.5, reach 2.25:
    // whiskers 4.5..10.5 hold 6..10, so 1 is the one outlier.
    const box = boxPlotStatistics(Histogram.of([8, 7, 1, 10, 6, 9, 7, 8]));
    expect(box).toEqual({
      n: 8,
      min: 1,
      q1: 6.75,
      median: 7.5,
      q3: 8.25,
      max: 10,
      mean: 7,
      whiskerLow: 6,
      whiskerHigh: 10,
      outliers: 1,
    });
  });

  it("keeps whiskers inside min..max and around the box, and counts every value once", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.integer({ min: 0, max: 20 }).map((half) => half / 2),
          { minLength: 1, maxLength: 80 },
        ),
        (values) => {
          const box = boxPlotStatistics(Histogram.of(values));
          if (box === null) throw new Error("a non-empty sample has a box");
          expect(box.min).toBeLessThanOrEqual(box.whiskerLow);
          expect(box.whiskerLow).toBeLessThanOrEqual(box.q1);
          expect(box.q3).toBeLessThanOrEqual(box.whiskerHigh);
          expect(box.whiskerHigh).toBeLessThanOrEqual(box.max);
          const reach = 1.5 * (box.q3 - box.q1);
          const outside = values.filter((value) => value < box.q1 - reach || value > box.q3 + reach).length;
          expect(box.outliers).toBe(outside);
        },
      ),
      { seed: 20261202, numRuns: 300 },
    );
  });
});
