import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cohensD, holm } from "./effect-size.js";

interface CohenCase {
  readonly name: string;
  readonly x: number[];
  readonly y: number[];
  readonly d: number;
}

interface HolmCase {
  readonly name: string;
  readonly p: number[];
  readonly adjusted: number[];
}

const reference = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "paired-tests.json"), "utf8")) as {
  numpy: string;
  cohen_d: CohenCase[];
  holm: HolmCase[];
};

describe(`cohensD against numpy ${reference.numpy} (fixtures/make-paired-tests.py)`, () => {
  for (const reference_case of reference.cohen_d) {
    it(`${reference_case.name}: d within 1e-9`, () => {
      expect(Math.abs((cohensD(reference_case.x, reference_case.y) ?? Number.NaN) - reference_case.d)).toBeLessThan(
        1e-9,
      );
    });
  }

  it("returns null for an empty sample, too few values, or zero pooled SD", () => {
    expect(cohensD([], [1, 2])).toBeNull();
    expect(cohensD([1], [2])).toBeNull();
    expect(cohensD([3, 3], [3, 3, 3])).toBeNull();
  });
});

describe("holm against a numpy reference (statsmodels is not installed; fixtures/make-paired-tests.py)", () => {
  for (const reference_case of reference.holm) {
    it(`${reference_case.name}: adjusted p within 1e-9, monotone in p, capped at 1`, () => {
      const adjusted = holm(reference_case.p);
      expect(adjusted).toHaveLength(reference_case.adjusted.length);
      adjusted.forEach((value, index) => {
        expect(Math.abs(value - (reference_case.adjusted[index] ?? Number.NaN))).toBeLessThan(1e-9);
        expect(value).toBeLessThanOrEqual(1);
        expect(value).toBeGreaterThanOrEqual(reference_case.p[index] ?? Number.NaN);
      });
      const byP = reference_case.p
        .map((p, index) => ({ p, adjusted: adjusted[index] ?? Number.NaN }))
        .sort((left, right) => left.p - right.p);
      for (let index = 1; index < byP.length; index += 1)
        expect(byP[index]?.adjusted).toBeGreaterThanOrEqual(byP[index - 1]?.adjusted ?? Number.NaN);
    });
  }

  it("returns an empty list for no p-values", () => {
    expect(holm([])).toEqual([]);
  });
});
