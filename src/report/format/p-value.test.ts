import { describe, expect, it } from "vitest";
import { formatPValue, pStatement } from "./p-value.js";

describe("p-values as every report prints them (issue 12, item 19)", () => {
  it("3 decimals from 0.001, 3 significant digits below, '< 1e-300' at the bottom, '–' when missing", () => {
    expect(formatPValue(1)).toBe("1.000");
    expect(formatPValue(0.0404)).toBe("0.040");
    expect(formatPValue(0.001)).toBe("0.001");
    expect(formatPValue(0.000999)).toBe("9.99e-4");
    expect(formatPValue(9.357622968840175e-14)).toBe("9.36e-14");
    expect(formatPValue(7.713705960685086e-94)).toBe("7.71e-94");
    expect(formatPValue(1e-300)).toBe("1.00e-300");
    expect(formatPValue(5e-324)).toBe("< 1e-300");
    expect(formatPValue(0)).toBe("< 1e-300");
    for (const missing of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY])
      expect(formatPValue(missing)).toBe("–");
  });

  it("in a sentence: 'p = …', but 'p < 1e-300'; compact for the terminal's dense lines", () => {
    expect(pStatement(0.368)).toBe("p = 0.368");
    expect(pStatement(0)).toBe("p < 1e-300");
    expect(pStatement(7.18e-66, { compact: true })).toBe("p=7.18e-66");
    expect(pStatement(0, { compact: true })).toBe("p<1e-300");
    expect(pStatement(null, { name: "p(MWU, Bonferroni)", compact: true })).toBe("p(MWU, Bonferroni)=–");
    expect(pStatement(0.5, { name: "Bonferroni p" })).toBe("Bonferroni p = 0.500");
  });
});
