import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { wilcoxonSignedRank } from "./wilcoxon.js";

interface ReferenceCase {
  readonly name: string;
  readonly x: number[];
  readonly y: number[];
  readonly statistic: number;
  readonly p: number;
  readonly n: number;
  readonly method: string;
}

const reference = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "paired-tests.json"), "utf8")) as {
  scipy: string;
  wilcoxon: ReferenceCase[];
};

describe(`wilcoxonSignedRank against SciPy ${reference.scipy} (fixtures/make-paired-tests.py)`, () => {
  for (const reference_case of reference.wilcoxon) {
    it(`${reference_case.name}: statistic and p within 1e-9, n and method`, () => {
      const result = wilcoxonSignedRank(reference_case.x, reference_case.y);
      expect(result).not.toBeNull();
      expect(Math.abs((result?.statistic ?? Number.NaN) - reference_case.statistic)).toBeLessThan(1e-9);
      expect(Math.abs((result?.pValue ?? Number.NaN) - reference_case.p)).toBeLessThan(1e-9);
      expect(result?.n).toBe(reference_case.n);
      expect(result?.method).toBe(reference_case.method);
    });
  }

  it("is symmetric in the order of the samples", () => {
    const forward = wilcoxonSignedRank([5, 7, 6, 8, 5, 9, 4, 6], [3, 5, 7, 6, 6, 7, 5, 4]);
    const backward = wilcoxonSignedRank([3, 5, 7, 6, 6, 7, 5, 4], [5, 7, 6, 8, 5, 9, 4, 6]);
    expect(backward?.statistic).toBe(forward?.statistic);
    expect(Math.abs((backward?.pValue ?? Number.NaN) - (forward?.pValue ?? Number.NaN))).toBeLessThan(1e-15);
  });

  it("returns null for unequal lengths, empty samples, or all-zero differences", () => {
    expect(wilcoxonSignedRank([1, 2], [1])).toBeNull();
    expect(wilcoxonSignedRank([], [])).toBeNull();
    expect(wilcoxonSignedRank([1, 2, 3], [1, 2, 3])).toBeNull();
  });
});
