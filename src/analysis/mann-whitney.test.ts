import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bonferroni, mannWhitneyU } from "./mann-whitney.js";

interface ReferenceCase {
  readonly name: string;
  readonly x: number[];
  readonly y: number[];
  readonly u: number;
  readonly p: number;
}

const reference = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "mann-whitney.json"), "utf8")) as {
  scipy: string;
  cases: ReferenceCase[];
};

describe(`mannWhitneyU against SciPy ${reference.scipy} (fixtures/make-mann-whitney.py)`, () => {
  for (const reference_case of reference.cases) {
    it(`${reference_case.name}: U and p within 1e-9`, () => {
      const result = mannWhitneyU(reference_case.x, reference_case.y);
      expect(result).not.toBeNull();
      expect(Math.abs((result?.u ?? Number.NaN) - reference_case.u)).toBeLessThan(1e-9);
      expect(Math.abs((result?.pValue ?? Number.NaN) - reference_case.p)).toBeLessThan(1e-9);
    });
  }

  it("uses the exact distribution when one sample has at most 8 values and there are no ties (SciPy's auto)", () => {
    expect(mannWhitneyU([1, 2, 3], [4, 5, 6])?.method).toBe("exact");
    expect(mannWhitneyU([1, 2, 2], [4, 5, 6])?.method).toBe("asymptotic");
    expect(mannWhitneyU([1, 2, 3, 4, 5, 6, 7, 8, 9], [10])?.method).toBe("exact");
    expect(mannWhitneyU([1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 11, 12, 13, 14, 15, 16, 17, 18])?.method).toBe("asymptotic");
  });

  it("returns null for an empty sample", () => {
    expect(mannWhitneyU([], [1, 2])).toBeNull();
  });
});

describe("bonferroni", () => {
  it("multiplies by the number of comparisons and caps at 1", () => {
    expect(bonferroni([0.01, 0.2, 0.5])).toEqual([0.03, 0.6000000000000001, 1]);
  });
});
