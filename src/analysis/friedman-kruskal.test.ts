import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { friedmanChiSquare, kruskalWallis } from "./friedman-kruskal.js";

interface ReferenceCase {
  readonly name: string;
  readonly groups: number[][];
  readonly statistic: number;
  /** SciPy's chi-square p-value; recorded but not yet checked (no chi-square CDF installed). */
  readonly p: number;
}

const reference = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "paired-tests.json"), "utf8")) as {
  scipy: string;
  friedman: ReferenceCase[];
  kruskal: ReferenceCase[];
};

describe(`friedmanChiSquare against SciPy ${reference.scipy} (fixtures/make-paired-tests.py)`, () => {
  for (const reference_case of reference.friedman) {
    it(`${reference_case.name}: statistic and p within 1e-9`, () => {
      const result = friedmanChiSquare(reference_case.groups);
      expect(result).not.toBeNull();
      expect(Math.abs((result?.statistic ?? Number.NaN) - reference_case.statistic)).toBeLessThan(1e-9);
      expect(Math.abs((result?.pValue ?? Number.NaN) - reference_case.p)).toBeLessThan(1e-9);
      expect(result?.degreesOfFreedom).toBe(reference_case.groups.length - 1);
    });
  }

  it("returns null for fewer than 3 groups, unequal lengths, no blocks, or all blocks tied", () => {
    expect(friedmanChiSquare([[1, 2], [2, 3]])).toBeNull();
    expect(friedmanChiSquare([[1, 2], [2, 3], [3]])).toBeNull();
    expect(friedmanChiSquare([[], [], []])).toBeNull();
    expect(friedmanChiSquare([[1, 2], [1, 2], [1, 2]])).toBeNull();
  });
});

describe(`kruskalWallis against SciPy ${reference.scipy} (fixtures/make-paired-tests.py)`, () => {
  for (const reference_case of reference.kruskal) {
    it(`${reference_case.name}: statistic and p within 1e-9`, () => {
      const result = kruskalWallis(reference_case.groups);
      expect(result).not.toBeNull();
      expect(Math.abs((result?.statistic ?? Number.NaN) - reference_case.statistic)).toBeLessThan(1e-9);
      expect(Math.abs((result?.pValue ?? Number.NaN) - reference_case.p)).toBeLessThan(1e-9);
      expect(result?.degreesOfFreedom).toBe(reference_case.groups.length - 1);
    });
  }

  it("returns null for fewer than 2 groups, an empty group, or all values tied", () => {
    expect(kruskalWallis([[1, 2, 3]])).toBeNull();
    expect(kruskalWallis([[1, 2], []])).toBeNull();
    expect(kruskalWallis([[4, 4], [4, 4, 4]])).toBeNull();
  });
});
