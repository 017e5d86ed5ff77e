import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeFormulaCell, FORMULA_TRIGGERS, unescapeFormulaCell } from "./csv-cell.js";

describe("escapeFormulaCell (OWASP CSV injection rule)", () => {
  it("puts one ' before a cell that starts with =, +, -, @, tab, carriage return or ' itself", () => {
    expect(escapeFormulaCell('=HYPERLINK("http://evil.example","click")')).toBe(
      '\'=HYPERLINK("http://evil.example","click")',
    );
    expect(escapeFormulaCell("=cmd|' /C calc'!A0")).toBe("'=cmd|' /C calc'!A0");
    expect(escapeFormulaCell("@SUM(1+1)")).toBe("'@SUM(1+1)");
    expect(escapeFormulaCell("+1+1")).toBe("'+1+1");
    expect(escapeFormulaCell("-2+3")).toBe("'-2+3");
    expect(escapeFormulaCell("\t=1")).toBe("'\t=1");
    expect(escapeFormulaCell("\r=1")).toBe("'\r=1");
    // A leading ' is escaped too, so removing one leading ' always gives the value back.
    expect(escapeFormulaCell("'quoted")).toBe("''quoted");
  });

  it("leaves every other cell alone", () => {
    for (const value of [
      "",
      "clinical-authority",
      "権威付け",
      "a=b",
      "0-1",
      " =1",
      "jma-10",
      'weak, "quoted"\nmodel',
    ]) {
      expect(escapeFormulaCell(value)).toBe(value);
    }
  });

  it("unescaping removes exactly one leading '", () => {
    expect(unescapeFormulaCell("'=1")).toBe("=1");
    expect(unescapeFormulaCell("''quoted")).toBe("'quoted");
    expect(unescapeFormulaCell("plain")).toBe("plain");
  });

  it("property: no escaped cell starts with a formula trigger, and unescaping gives the original back", () => {
    const triggerFirst = fc
      .tuple(fc.constantFrom(...FORMULA_TRIGGERS, "'"), fc.string({ unit: "binary" }))
      .map(([first, rest]) => first + rest);
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary" }), triggerFirst), (value) => {
        const cell = escapeFormulaCell(value);
        expect(FORMULA_TRIGGERS.some((trigger) => cell.startsWith(trigger))).toBe(false);
        expect(unescapeFormulaCell(cell)).toBe(value);
      }),
      { seed: 20261202, numRuns: 300 },
    );
  });
});
