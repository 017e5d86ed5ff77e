import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { turnIndexOf, turnNumber, turnPairLabel } from "./turn-number.js";

describe("turn numbering at the boundaries", () => {
  it("turn 1 is index 0, and the pair of the first two turns is 1→2", () => {
    expect(turnNumber(0)).toBe(1);
    expect(turnIndexOf(1)).toBe(0);
    expect(turnPairLabel(0, 1)).toBe("1→2");
    expect(turnPairLabel(0, 2)).toBe("1→3");
  });

  it("the two directions undo each other", () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), (index) => turnIndexOf(turnNumber(index)) === index && turnNumber(index) >= 1),
      { seed: 20261202, numRuns: 300 },
    );
  });
});
