import { describe, expect, it } from "vitest";
import { PairAgreementAccumulator } from "./agreement.js";
import { mean, median, rate } from "./descriptive.js";

describe("mean", () => {
  it("averages the values", () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(mean([7])).toBe(7);
    expect(mean([-2, 2, 9])).toBe(3);
  });

  it("is null for no values", () => {
    expect(mean([])).toBeNull();
  });
});

describe("median", () => {
  it("takes the middle value of an odd count", () => {
    expect(median([9, 1, 5])).toBe(5);
    expect(median([4])).toBe(4);
  });

  it("takes the mean of the two middle values of an even count", () => {
    expect(median([10, 1, 3, 4])).toBe(3.5);
    expect(median([2, 8])).toBe(5);
  });

  it("sorts numerically, not as text", () => {
    expect(median([10, 9, 100])).toBe(10);
    expect(median([-1, -10, 2])).toBe(-1);
  });

  it("is null for no values", () => {
    expect(median([])).toBeNull();
  });

  it("does not reorder its input", () => {
    const values = [5, 3, 9, 1];
    median(values);
    expect(values).toEqual([5, 3, 9, 1]);
  });
});

describe("rate", () => {
  it("divides passes by decided cases", () => {
    expect(rate(3, 4)).toBe(0.75);
    expect(rate(0, 5)).toBe(0);
    expect(rate(5, 5)).toBe(1);
  });

  it("is null when nothing was decided", () => {
    expect(rate(0, 0)).toBeNull();
  });
});

describe("PairAgreementAccumulator", () => {
  it("reports the mean absolute difference and the pairs over the threshold", () => {
    const accumulator = new PairAgreementAccumulator(2);
    accumulator.add(9, 8);
    accumulator.add(2, 7);
    accumulator.add(5, 3);
    accumulator.add(10, 10);
    expect(accumulator.result()).toEqual({ n: 4, meanAbsoluteDifference: (1 + 5 + 2 + 0) / 4, disagreements: 1 });
  });

  it("counts a difference equal to the threshold as agreement", () => {
    const accumulator = new PairAgreementAccumulator(3);
    accumulator.add(0, 3);
    accumulator.add(3, 0);
    accumulator.add(0, 4);
    expect(accumulator.result().disagreements).toBe(1);
  });

  it("has no mean before any pair", () => {
    expect(new PairAgreementAccumulator(2).result()).toEqual({ n: 0, meanAbsoluteDifference: null, disagreements: 0 });
  });
});
