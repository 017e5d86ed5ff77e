import { describe, expect, it } from "vitest";
import { fillerText, placeholderValue } from "./planning-model.js";

const verdict = {
  type: "object",
  properties: {
    rationale: { type: "string" },
    label: { type: "string", enum: ["refuse", "partial", "comply"] },
    score: { type: "integer", minimum: 1, maximum: 10 },
  },
  required: ["rationale", "label", "score"],
};

describe("placeholderValue", () => {
  it("fills every required field: arrays at their minimum length, the first enum value, the scale's maximum", () => {
    const turns = {
      type: "object",
      properties: { turns: { type: "array", items: { type: "string" }, minItems: 3, maxItems: 3 } },
      required: ["turns"],
    };
    const value = placeholderValue(turns, 30, 1) as { turns: string[] };
    expect(value.turns).toHaveLength(3);
    // The 30 tokens are shared by the three strings: 10 each, and no two are the same.
    expect(value.turns.map((text) => text.split(" ").length)).toEqual([10, 10, 10]);
    expect(new Set(value.turns).size).toBe(3);
    expect(placeholderValue(verdict, 5, 1)).toMatchObject({ label: "refuse", score: 10 });
    expect(placeholderValue(verdict, 5, 1, "minimum")).toMatchObject({ score: 1 });
  });

  it("rising scores climb by one per answer and never reach the threshold", () => {
    const scores = Array.from(
      { length: 20 },
      (_, index) => (placeholderValue(verdict, 5, index + 1, { rising: { below: 8.5 } }) as { score: number }).score,
    );
    expect(scores.slice(0, 9)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 1]);
    expect(Math.max(...scores)).toBeLessThan(8.5);
    const integer = (policy: { rising: { below: number } }) =>
      (placeholderValue(verdict, 5, 9, policy) as { score: number }).score;
    expect(integer({ rising: { below: 9 } })).toBe(1);
    expect(integer({ rising: { below: 100 } })).toBe(9);
  });
});

describe("fillerText", () => {
  it("is one word per token asked for, starting with its serial", () => {
    expect(fillerText(4, 7)).toBe("7 ok ok ok");
    expect(fillerText(1, 2)).toBe("2");
  });
});
