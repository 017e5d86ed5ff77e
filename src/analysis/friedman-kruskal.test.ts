import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { friedmanChiSquare, kruskalWallis } from "./friedman-kruskal.js";

interface ReferenceCase {
  readonly name: string;
  readonly groups: number[][];
  readonly statistic: number;
  /** SciPy's chi-square p-value (chi2.sf). */
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
    expect(
      friedmanChiSquare([
        [1, 2],
        [2, 3],
      ]),
    ).toBeNull();
    expect(friedmanChiSquare([[1, 2], [2, 3], [3]])).toBeNull();
    expect(friedmanChiSquare([[], [], []])).toBeNull();
    expect(
      friedmanChiSquare([
        [1, 2],
        [1, 2],
        [1, 2],
      ]),
    ).toBeNull();
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
    expect(
      kruskalWallis([
        [4, 4],
        [4, 4, 4],
      ]),
    ).toBeNull();
  });
});

/**
 * Upper-tail p-values far below 1e-16, where 1 − CDF cancels to 0. The statistics are exact by construction (every
 * block ranks the groups in the same order: Friedman χ² = n(k − 1); three fully separated groups of m values:
 * Kruskal–Wallis H = 8m²/(3m + 1)), and the references are Q(df/2, x/2) to 40 digits with mpmath 1.3.0:
 *   python3 -c "import mpmath as m; m.mp.dps=40; print(m.gammainc(m.mpf(df)/2, m.mpf(x)/2, m.inf, regularized=True))"
 * (for df = 2 that is exp(−x/2), checkable by hand). SciPy's `chi2.sf`, which `friedmanchisquare` and `kruskal` use,
 * gives the same values.
 */
describe("chi-square p-values in the far upper tail (relative error below 1e-9)", () => {
  const ordered = (k: number, n: number): number[][] =>
    Array.from({ length: k }, (_, group) => Array.from({ length: n }, (_, block) => block * 10 + group));
  const relative = (actual: number | undefined, expected: number): number =>
    Math.abs((actual ?? Number.NaN) - expected) / expected;
  const cases: Array<[string, () => ReturnType<typeof friedmanChiSquare>, number, number]> = [
    ["Friedman, k = 3, n = 30 (χ² = 60, df = 2)", () => friedmanChiSquare(ordered(3, 30)), 60, 9.357622968840175e-14],
    [
      "Friedman, k = 3, n = 150 (χ² = 300, df = 2)",
      () => friedmanChiSquare(ordered(3, 150)),
      300,
      7.175095973164411e-66,
    ],
    [
      "Friedman, k = 4, n = 100 (χ² = 300, df = 3)",
      () => friedmanChiSquare(ordered(4, 100)),
      300,
      9.94875834632771e-65,
    ],
    [
      "Friedman, k = 5, n = 40 (χ² = 160, df = 4)",
      () => friedmanChiSquare(ordered(5, 40)),
      160,
      1.4619296241547863e-33,
    ],
    [
      "Kruskal–Wallis, 3 separated groups of 200 (H = 320000/601, df = 2)",
      () => kruskalWallis([0, 1, 2].map((group) => Array.from({ length: 200 }, (_, index) => group * 200 + index))),
      320000 / 601,
      2.4034592574347106e-116,
    ],
  ];
  for (const [name, compute, statistic, p] of cases) {
    it(name, () => {
      const result = compute();
      expect(result?.statistic).toBeCloseTo(statistic, 9);
      expect(result?.pValue).toBeGreaterThan(0);
      expect(relative(result?.pValue, p)).toBeLessThan(1e-9);
    });
  }
});
