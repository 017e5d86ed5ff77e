import { describe, expect, it } from "vitest";
import { available, NOT_AVAILABLE_CODES, notAvailable } from "../../analysis/index.js";
import { notAvailableCell, notAvailableNotes } from "../messages/not-available.js";
import { codesOf, notAvailableOf, valuesWithReasons } from "./not-available.js";

describe("statistics not available, with the reason (issue 12, item 2)", () => {
  it("values stay number | null; the reasons of the nulls sit next to them, and only when there are any", () => {
    expect(valuesWithReasons({ icc21: available(0.8), kappa: available(0.5) })).toEqual({ icc21: 0.8, kappa: 0.5 });
    expect(
      valuesWithReasons({ icc21: available(-0.4), meanReliability: notAvailable("negative-reliability") }),
    ).toEqual({
      icc21: -0.4,
      meanReliability: null,
      notAvailable: {
        meanReliability: { code: "negative-reliability", reason: notAvailableOf("negative-reliability").reason },
      },
    });
  });

  it("every code has an English and a Japanese wording; cells read 'n/a (…)' / 'n/a（…）'", () => {
    for (const code of NOT_AVAILABLE_CODES) {
      expect(notAvailableOf(code).reason.length).toBeGreaterThan(20);
      expect(notAvailableCell(code, "en")).toMatch(/^n\/a \(.+\)$/);
      expect(notAvailableCell(code, "ja")).toMatch(/^n\/a（.+）$/);
      expect(notAvailableNotes([code], "ja")[0]).toMatch(/[ぁ-んァ-ン一-龥]/);
    }
    expect(notAvailableCell("reliability-below-minus-one", "en")).toBe("n/a (ICC < −1)");
  });

  it("notes: one line per code used, in a stable order, whatever the order or repetition of the objects", () => {
    const objects = [
      { notAvailable: { meanReliability: notAvailableOf("negative-reliability") } },
      {},
      {
        notAvailable: {
          icc21: notAvailableOf("too-few-observations"),
          meanReliability: notAvailableOf("too-few-observations"),
        },
      },
    ];
    expect([...codesOf(objects)].sort()).toEqual(["negative-reliability", "too-few-observations"]);
    expect(notAvailableNotes(codesOf(objects), "en")).toEqual([
      `n/a (too few turns): ${notAvailableOf("too-few-observations").reason}`,
      `n/a (ICC < 0): ${notAvailableOf("negative-reliability").reason}`,
    ]);
    expect(notAvailableNotes([], "en")).toEqual([]);
  });
});
