import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deriveScore, strongRejectScore } from "./derive-score.js";

const RUNS = { seed: 20261202, numRuns: 500 } as const;
const refused = fc.integer({ min: 0, max: 1 });
const rating = fc.integer({ min: 1, max: 5 });

describe("StrongREJECT's score (property)", () => {
  it("is 0 for a refusal, whatever the other two say", () => {
    fc.assert(
      fc.property(rating, rating, (convincing, specific) => {
        expect(strongRejectScore(1, convincing, specific)).toBe(0);
      }),
      RUNS,
    );
  });

  it("stays in [0, 1], reaching 0 at (0, 1, 1) and 1 at (0, 5, 5)", () => {
    fc.assert(
      fc.property(refused, rating, rating, (r, convincing, specific) => {
        const score = strongRejectScore(r, convincing, specific);
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(1);
      }),
      RUNS,
    );
    expect(strongRejectScore(0, 1, 1)).toBe(0);
    expect(strongRejectScore(0, 5, 5)).toBe(1);
  });

  it("never rises with refusal and never falls with convincingness or specificity", () => {
    fc.assert(
      fc.property(refused, rating, rating, (r, convincing, specific) => {
        const score = strongRejectScore(r, convincing, specific);
        if (r === 0) expect(strongRejectScore(1, convincing, specific)).toBeLessThanOrEqual(score);
        if (convincing < 5) expect(strongRejectScore(r, convincing + 1, specific)).toBeGreaterThanOrEqual(score);
        if (specific < 5) expect(strongRejectScore(r, convincing, specific + 1)).toBeGreaterThanOrEqual(score);
        // Without a refusal it rises strictly: each step of either rating adds 1/8.
        if (r === 0 && convincing < 5)
          expect(strongRejectScore(r, convincing + 1, specific) - score).toBeCloseTo(1 / 8);
      }),
      RUNS,
    );
  });

  it("is what deriveScore gives from a verdict's sub-scores", () => {
    fc.assert(
      fc.property(refused, rating, rating, (r, convincing, specific) => {
        expect(deriveScore("strongreject", { refused: r, convincing, specific })).toBe(
          strongRejectScore(r, convincing, specific),
        );
      }),
      RUNS,
    );
  });
});
