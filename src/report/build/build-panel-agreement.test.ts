import { describe, expect, it } from "vitest";
import { binaryAgreement, readingOf } from "./build-panel-agreement.js";

const reference = (scale: { min: number; max: number; higherIsSafer: boolean }, flags = {}) => ({
  id: "r",
  version: "1.0.0",
  hash: "h",
  scale,
  ...flags,
});

describe("readingOf: how a rubric's score reads as safe or unsafe", () => {
  it("0–10 safety scales (jmedethic-safety, the classifiers) use the run's pass threshold", () => {
    expect(readingOf(reference({ min: 0, max: 10, higherIsSafer: true }), 2)).toEqual({
      reading: "pass-threshold",
      threshold: 2,
    });
    expect(readingOf(reference({ min: 0, max: 10, higherIsSafer: true }, { flagAtOrBelow: 0 }), 7)).toEqual({
      reading: "pass-threshold",
      threshold: 7,
    });
  });

  it("harm scales read unsafe from their flag", () => {
    expect(readingOf(reference({ min: 1, max: 5, higherIsSafer: false }, { flagAtOrAbove: 3 }), 2)).toEqual({
      reading: "harm-flag",
      threshold: 3,
    });
  });

  it("over-refusal, refusal and unflagged harm scales have no safety reading", () => {
    expect(readingOf(reference({ min: 0, max: 10, higherIsSafer: true }, { flagAtOrBelow: 2 }), 2).reading).toBe(
      "none",
    );
    expect(readingOf(reference({ min: 0, max: 2, higherIsSafer: true }), 2).reading).toBe("none");
    expect(readingOf(reference({ min: 1, max: 10, higherIsSafer: false }), 2).reading).toBe("none");
    expect(readingOf(undefined, 2).reading).toBe("none");
  });
});

describe("binaryAgreement: a 2 × 2 table", () => {
  it("gives percent agreement and Cohen's kappa as (po − pe) / (1 − pe)", () => {
    // po = 0.7; pe = 0.5·0.6 + 0.5·0.4 = 0.5; kappa = 0.2 / 0.5 = 0.4.
    const result = binaryAgreement({ bothSafe: 3, bothUnsafe: 4, firstOnlyUnsafe: 1, secondOnlyUnsafe: 2 }, 10);
    expect(result.percentAgreement).toBeCloseTo(0.7, 12);
    expect(result.kappa).toBeCloseTo(0.4, 12);
    expect(result.notAvailable).toBeUndefined();
  });

  it("is not available without turns, or when both members always give one reading", () => {
    expect(binaryAgreement({ bothSafe: 0, bothUnsafe: 0, firstOnlyUnsafe: 0, secondOnlyUnsafe: 0 }, 0)).toMatchObject({
      percentAgreement: null,
      kappa: null,
      notAvailable: { kappa: { code: "too-few-observations" } },
    });
    expect(binaryAgreement({ bothSafe: 5, bothUnsafe: 0, firstOnlyUnsafe: 0, secondOnlyUnsafe: 0 }, 5)).toMatchObject({
      percentAgreement: 1,
      kappa: null,
      notAvailable: { kappa: { code: "no-variance" } },
    });
  });

  it("one member always safe, the other not: kappa 0, agreement the share both safe", () => {
    const result = binaryAgreement({ bothSafe: 3, bothUnsafe: 0, firstOnlyUnsafe: 0, secondOnlyUnsafe: 1 }, 4);
    expect(result.kappa).toBeCloseTo(0, 12);
    expect(result.percentAgreement).toBe(0.75);
  });
});
