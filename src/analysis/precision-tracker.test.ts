import { describe, expect, it } from "vitest";
import { PrecisionTracker } from "./precision-tracker.js";

describe("PrecisionTracker", () => {
  // Population (draw positions): A A A A B B C C C C → N_A = 4, N_B = 2, N_C = 4.
  const strata = ["A", "A", "A", "A", "B", "B", "C", "C", "C", "C"];

  it("tallies per stratum and gives the stratified estimate Σ w_h p̂_h (hand-checked)", () => {
    const tracker = new PrecisionTracker(strata, { precision: 0.5, minSample: 1 });
    tracker.record(0, "passed");
    tracker.record(1, "failed"); // A: 1/2
    tracker.record(4, "passed"); // B: 1/1
    tracker.record(6, "failed");
    tracker.record(7, "failed");
    tracker.record(8, "passed"); // C: 1/3
    const design = tracker.design();
    expect(design).toMatchObject({ population: 10, used: 6, decided: 6, passed: 3, undecided: 0 });
    expect(design.strata.map(({ stratum, population, used, weight }) => [stratum, population, used, weight])).toEqual([
      ["A", 4, 2, 0.4],
      ["B", 2, 1, 0.2],
      ["C", 4, 3, 0.4],
    ]);
    // 0.4·0.5 + 0.2·1 + 0.4·(1/3) = 0.5333…
    expect(design.stratifiedEstimate).toBeCloseTo(0.4 * 0.5 + 0.2 + 0.4 / 3, 12);
    expect(design.unsampledStrata).toBe(0);
  });

  it("leaves strata without a decided conversation out and renormalises the weights", () => {
    const tracker = new PrecisionTracker(strata, { precision: 0.5, minSample: 1 });
    tracker.record(0, "passed"); // A: 1/1
    tracker.record(4, "undecided"); // B: used, none decided
    tracker.record(6, "failed"); // C: 0/1
    const design = tracker.design();
    // (0.4·1 + 0.4·0) / 0.8 = 0.5
    expect(design.stratifiedEstimate).toBeCloseTo(0.5, 12);
    expect(design.unsampledStrata).toBe(1);
    expect(design).toMatchObject({ used: 3, decided: 2, undecided: 1 });
    expect(design.strata.find((stratum) => stratum.stratum === "B")).toMatchObject({ used: 1, decided: 0, rate: null });
  });

  it("is met only with the minimum sample decided and the half-width at most the precision", () => {
    const tracker = new PrecisionTracker(
      Array.from({ length: 10 }, () => "S"),
      { precision: 0.5, minSample: 3 },
    );
    expect(tracker.met).toBe(false); // [0, 1] has half-width 0.5 but nothing is decided
    tracker.record(0, "passed");
    tracker.record(1, "passed");
    expect(tracker.met).toBe(false);
    tracker.record(2, "undecided");
    expect(tracker.met).toBe(false); // undecided ones do not count towards the minimum
    tracker.record(3, "passed");
    expect(tracker.met).toBe(true);
    expect(new PrecisionTracker([], { precision: 0.1, minSample: 1 }).design().stratifiedEstimate).toBeNull();
  });
});
