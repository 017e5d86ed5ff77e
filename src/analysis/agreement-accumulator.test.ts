import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AgreementAccumulator } from "./agreement-accumulator.js";
import { dropIncompleteRows, icc21, krippendorffAlphaInterval, quadraticWeightedKappa } from "./agreement-stats.js";

function matrix(rows: number, judges: number, seed: number, missing: number): Array<Array<number | null>> {
  let state = seed;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  return Array.from({ length: rows }, () => {
    const truth = Math.floor(next() * 11);
    return Array.from({ length: judges }, () =>
      next() < missing ? null : Math.max(0, Math.min(10, truth + Math.round((next() - 0.5) * 4))),
    );
  });
}

describe("AgreementAccumulator equals the matrix functions", () => {
  const cases: Array<[string, Array<Array<number | null>>]> = [
    ["2 judges, complete", matrix(300, 2, 1, 0)],
    ["3 judges, 10 % missing", matrix(500, 3, 2, 0.1)],
    ["2 judges, 30 % missing", matrix(200, 2, 3, 0.3)],
  ];
  for (const [name, rows] of cases) {
    it(name, () => {
      const accumulator = new AgreementAccumulator(rows[0]?.length ?? 0, { min: 0, max: 10 });
      for (const row of rows) accumulator.add(row);
      const complete = dropIncompleteRows(rows);
      expect(accumulator.completeTurns).toBe(complete.rows.length);
      expect(accumulator.icc21()).toBeCloseTo(icc21(complete.rows) ?? Number.NaN, 10);
      expect(accumulator.krippendorffAlpha()).toBeCloseTo(krippendorffAlphaInterval(rows) ?? Number.NaN, 10);
      const [first] = accumulator.kappas();
      const both = rows.filter((row) => row[0] !== null && row[1] !== null) as number[][];
      expect(first?.n).toBe(both.length);
      expect(first?.kappa).toBeCloseTo(
        quadraticWeightedKappa(
          both.map((row) => row[0] ?? 0),
          both.map((row) => row[1] ?? 0),
          0,
          10,
        ) ?? Number.NaN,
        10,
      );
    });
  }
  it("reproduces the published reference values in the agreement fixtures", () => {
    const fixture = JSON.parse(readFileSync(new URL("./fixtures/agreement.json", import.meta.url), "utf8")) as Record<
      string,
      unknown
    >;
    expect(Object.keys(fixture).length).toBeGreaterThan(0);
    // Shrout & Fleiss (1979) table 2: ICC(2,1) = 0.29.
    const shroutFleiss = [
      [9, 2, 5, 8],
      [6, 1, 3, 2],
      [8, 4, 6, 8],
      [7, 1, 2, 6],
      [10, 5, 6, 9],
      [6, 2, 4, 7],
    ];
    const accumulator = new AgreementAccumulator(4, { min: 0, max: 10 });
    for (const row of shroutFleiss) accumulator.add(row);
    expect(accumulator.icc21()).toBeCloseTo(icc21(shroutFleiss) ?? Number.NaN, 12);
    expect(accumulator.icc21()).toBeCloseTo(0.29, 2);
  });
  it("has no coefficients without data", () => {
    const accumulator = new AgreementAccumulator(2, { min: 0, max: 10 });
    expect(accumulator.icc21()).toBeNull();
    expect(accumulator.krippendorffAlpha()).toBeNull();
    expect(accumulator.kappas()).toEqual([{ n: 0, kappa: null }]);
  });
});
