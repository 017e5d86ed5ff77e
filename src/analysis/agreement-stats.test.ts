import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AgreementAccumulator } from "./agreement-accumulator.js";
import {
  dropIncompleteRows,
  icc21,
  krippendorffAlphaInterval,
  meanRaterReliability,
  quadraticWeightedKappa,
  spearmanBrown,
  spearmanRho,
  twoWayMeanSquares,
} from "./agreement-stats.js";
import { available, notAvailable } from "./estimate.js";

interface MatrixCase {
  readonly name: string;
  readonly scores: number[][];
  readonly icc21: number | null;
  readonly alphaInterval: number | null;
  readonly kappa?: { readonly min: number; readonly max: number; readonly value: number | null };
}
interface KappaCase {
  readonly name: string;
  readonly a: number[];
  readonly b: number[];
  readonly min: number;
  readonly max: number;
  readonly value: number | null;
}
interface AlphaCase {
  readonly name: string;
  readonly units: (number | null)[][];
  readonly value: number | null;
  readonly published?: number;
}
interface SpearmanBrownCase {
  readonly r: number;
  readonly k: number;
  readonly value: number | null;
}
interface SpearmanCase {
  readonly name: string;
  readonly x: number[];
  readonly y: number[];
  readonly value: number | null;
}
interface Reference {
  readonly numpy: string;
  readonly scipy: string;
  readonly published: { readonly shroutFleissIcc21: number; readonly krippendorff2011Interval: number };
  readonly matrices: MatrixCase[];
  readonly kappa: KappaCase[];
  readonly alpha: AlphaCase[];
  readonly spearmanBrown: SpearmanBrownCase[];
  readonly spearman: SpearmanCase[];
}

const reference = JSON.parse(
  readFileSync(join(import.meta.dirname, "fixtures", "agreement.json"), "utf8"),
) as Reference;

/** Both null, or both numbers within 1e-9. */
function expectClose(actual: number | null, expected: number | null): void {
  if (expected === null) {
    expect(actual).toBeNull();
    return;
  }
  expect(actual).not.toBeNull();
  expect(Math.abs((actual ?? Number.NaN) - expected)).toBeLessThan(1e-9);
}

const column = (scores: readonly number[][], index: number): number[] => scores.map((row) => row[index] ?? Number.NaN);

describe(`agreement statistics against numpy ${reference.numpy} / SciPy ${reference.scipy} (fixtures/make-agreement.py)`, () => {
  for (const matrix of reference.matrices) {
    it(`${matrix.name}: ICC(2,1) and interval alpha within 1e-9`, () => {
      expectClose(icc21(matrix.scores), matrix.icc21);
      expectClose(krippendorffAlphaInterval(matrix.scores), matrix.alphaInterval);
    });
    const kappa = matrix.kappa;
    if (kappa !== undefined) {
      it(`${matrix.name}: quadratic-weighted kappa within 1e-9`, () => {
        expectClose(
          quadraticWeightedKappa(column(matrix.scores, 0), column(matrix.scores, 1), kappa.min, kappa.max),
          kappa.value,
        );
      });
    }
  }
  for (const kappaCase of reference.kappa) {
    it(`kappa, ${kappaCase.name}`, () => {
      expectClose(quadraticWeightedKappa(kappaCase.a, kappaCase.b, kappaCase.min, kappaCase.max), kappaCase.value);
    });
  }
  for (const alphaCase of reference.alpha) {
    it(`interval alpha, ${alphaCase.name}`, () => {
      expectClose(krippendorffAlphaInterval(alphaCase.units), alphaCase.value);
    });
  }
  it("Spearman–Brown", () => {
    for (const sb of reference.spearmanBrown) expectClose(spearmanBrown(sb.r, sb.k), sb.value);
  });
  for (const spearmanCase of reference.spearman) {
    it(`spearmanr, ${spearmanCase.name}`, () => {
      expectClose(spearmanRho(spearmanCase.x, spearmanCase.y), spearmanCase.value);
    });
  }
});

describe("published check values", () => {
  it("Shrout & Fleiss (1979) Table 2: ICC(2,1) = 0.29", () => {
    const table = reference.matrices.find((matrix) => matrix.name.startsWith("Shrout & Fleiss"));
    expect(table?.scores).toEqual([
      [9, 2, 5, 8],
      [6, 1, 3, 2],
      [8, 4, 6, 8],
      [7, 1, 2, 6],
      [10, 5, 6, 9],
      [6, 2, 4, 7],
    ]);
    expect((icc21(table?.scores ?? []) ?? Number.NaN).toFixed(2)).toBe(
      reference.published.shroutFleissIcc21.toFixed(2),
    );
  });

  it("Krippendorff (2011) example C: interval alpha = 0.849", () => {
    const example = reference.alpha.find((alphaCase) => alphaCase.published !== undefined);
    expect((krippendorffAlphaInterval(example?.units ?? []) ?? Number.NaN).toFixed(3)).toBe(
      reference.published.krippendorff2011Interval.toFixed(3),
    );
  });
});

describe("degenerate and invalid input", () => {
  it("perfect agreement gives ICC = kappa = alpha = 1", () => {
    const scores = [
      [1, 1],
      [2, 2],
      [4, 4],
      [5, 5],
    ];
    expect(icc21(scores)).toBe(1);
    expect(quadraticWeightedKappa(column(scores, 0), column(scores, 1), 1, 5)).toBe(1);
    expect(krippendorffAlphaInterval(scores)).toBe(1);
  });

  it("constant ratings give null, not NaN, even for non-representable decimals", () => {
    const scores = Array.from({ length: 7 }, () => [0.1, 0.1, 0.1]);
    expect(icc21(scores)).toBeNull();
    expect(krippendorffAlphaInterval(scores)).toBeNull();
    expect(quadraticWeightedKappa([3, 3, 3], [3, 3, 3], 1, 5)).toBeNull();
    expect(spearmanRho([0.1, 0.1, 0.1], [1, 2, 3])).toBeNull();
  });

  it("ICC is null for n = k = 2 with no item or rater effect (zero denominator), and for < 2 items or raters", () => {
    expect(
      icc21([
        [1, 2],
        [2, 1],
      ]),
    ).toBeNull();
    expect(icc21([[1, 2, 3]])).toBeNull();
    expect(icc21([[1], [2], [3]])).toBeNull();
    expect(icc21([])).toBeNull();
  });

  it("ICC mean squares match the Shrout & Fleiss (1979) Table 3 ANOVA (BMS 11.24, JMS 32.49, EMS 1.02)", () => {
    const squares = twoWayMeanSquares([
      [9, 2, 5, 8],
      [6, 1, 3, 2],
      [8, 4, 6, 8],
      [7, 1, 2, 6],
      [10, 5, 6, 9],
      [6, 2, 4, 7],
    ]);
    expect(squares?.msr.toFixed(2)).toBe("11.24");
    expect(squares?.msc.toFixed(2)).toBe("32.49");
    expect(squares?.mse.toFixed(2)).toBe("1.02");
  });

  it("ICC rejects ragged or non-finite matrices", () => {
    expect(() => icc21([[1, 2], [3]])).toThrow(RangeError);
    expect(() =>
      icc21([
        [1, 2],
        [3, Number.NaN],
      ]),
    ).toThrow(RangeError);
  });

  it("kappa rejects off-scale, non-integer and mismatched input, and is null for no pairs", () => {
    expect(() => quadraticWeightedKappa([1, 6], [1, 2], 1, 5)).toThrow(RangeError);
    expect(() => quadraticWeightedKappa([1, 2.5], [1, 2], 1, 5)).toThrow(RangeError);
    expect(() => quadraticWeightedKappa([1, 2], [1], 1, 5)).toThrow(RangeError);
    expect(() => quadraticWeightedKappa([1], [1], 5, 5)).toThrow(RangeError);
    expect(quadraticWeightedKappa([], [], 1, 5)).toBeNull();
  });

  it("alpha is null with no pairable unit and rejects non-finite ratings", () => {
    expect(krippendorffAlphaInterval([])).toBeNull();
    expect(
      krippendorffAlphaInterval([
        [1, null],
        [null, 2],
      ]),
    ).toBeNull();
    expect(() => krippendorffAlphaInterval([[1, Number.POSITIVE_INFINITY]])).toThrow(RangeError);
  });

  it("Spearman–Brown: k = 1 is the identity, null at r = −1/(k − 1), rejects invalid r and k", () => {
    expect(spearmanBrown(0.42, 1)).toBe(0.42);
    expect(spearmanBrown(-0.5, 3)).toBeNull();
    expect(() => spearmanBrown(1.2, 2)).toThrow(RangeError);
    expect(() => spearmanBrown(0.5, 0)).toThrow(RangeError);
  });

  it("Spearman is null for fewer than 2 pairs and rejects mismatched lengths", () => {
    expect(spearmanRho([1], [2])).toBeNull();
    expect(() => spearmanRho([1, 2], [1])).toThrow(RangeError);
  });
});

describe("dropIncompleteRows", () => {
  it("keeps complete rows and counts the dropped ones (null, NaN, undefined or a short row)", () => {
    const result = dropIncompleteRows([
      [1, 2, 3],
      [1, null, 3],
      [4, 5, 6],
      [Number.NaN, 1, 1],
      [7, 8],
      [1, undefined, 2],
    ]);
    expect(result).toEqual({
      rows: [
        [1, 2, 3],
        [4, 5, 6],
      ],
      dropped: 4,
    });
    expect(icc21(result.rows)).not.toBeNull();
  });

  it("handles an empty matrix", () => {
    expect(dropIncompleteRows([])).toEqual({ rows: [], dropped: 0 });
  });
});

describe("reliability of the judges' mean for reports: a value or the reason (issue 12, item 2)", () => {
  it("ICC(2,1) falls far below −1 in tiny samples: two turns, judges disagreeing in opposite directions", () => {
    expect(
      icc21([
        [0, 9],
        [10, 0],
      ]),
    ).toBeCloseTo(-180, 9);
    expect(
      icc21([
        [0, 10],
        [5, 5],
        [10, 0],
      ]),
    ).toBeCloseTo(-3, 9);
  });

  it("never throws for an ICC below −1 or negative; says why instead of printing a meaningless number", () => {
    expect(() => spearmanBrown(-180, 2)).toThrow(RangeError);
    expect(meanRaterReliability(available(-180), 2)).toEqual(notAvailable("reliability-below-minus-one"));
    expect(meanRaterReliability(available(-1.0000001), 3)).toEqual(notAvailable("reliability-below-minus-one"));
    expect(meanRaterReliability(available(-0.5), 3)).toEqual(notAvailable("negative-reliability"));
    expect(meanRaterReliability(available(-1e-9), 2)).toEqual(notAvailable("negative-reliability"));
    expect(meanRaterReliability(notAvailable("too-few-observations"), 2)).toEqual(notAvailable("too-few-observations"));
  });

  it("agrees with spearmanBrown (and the SciPy-era fixture values) for ICC in [0, 1]", () => {
    for (const sb of reference.spearmanBrown.filter((entry) => entry.r >= 0))
      expectClose(meanRaterReliability(available(sb.r), sb.k).value, sb.value);
    expect(meanRaterReliability(available(0), 2)).toEqual(available(0));
    expect(meanRaterReliability(available(1), 5)).toEqual(available(1));
  });

  it("the accumulator says why each coefficient is missing", () => {
    const empty = new AgreementAccumulator(2, { min: 0, max: 10 });
    expect(empty.icc21Estimate()).toEqual(notAvailable("too-few-observations"));
    expect(empty.krippendorffAlphaEstimate()).toEqual(notAvailable("too-few-observations"));
    expect(empty.kappaEstimates()).toEqual([{ n: 0, kappa: notAvailable("too-few-observations") }]);
    const constant = new AgreementAccumulator(2, { min: 0, max: 10 });
    for (let turn = 0; turn < 3; turn += 1) constant.add([4, 4]);
    expect(constant.icc21Estimate()).toEqual(notAvailable("no-variance"));
    expect(constant.krippendorffAlphaEstimate()).toEqual(notAvailable("no-variance"));
    expect(constant.kappaEstimates()[0]?.kappa).toEqual(notAvailable("no-variance"));
    const offScale = new AgreementAccumulator(2, { min: 0, max: 10 });
    offScale.add([2.5, 3]);
    expect(offScale.kappaEstimates()[0]?.kappa).toEqual(notAvailable("off-scale"));
    const noScale = new AgreementAccumulator(2, undefined);
    noScale.add([2, 3]);
    expect(noScale.kappaEstimates()[0]?.kappa).toEqual(notAvailable("no-scale"));
    const opposite = new AgreementAccumulator(2, { min: 0, max: 10 });
    opposite.add([0, 9]);
    opposite.add([10, 0]);
    expect(opposite.icc21Estimate().value).toBeCloseTo(-180, 9);
    expect(meanRaterReliability(opposite.icc21Estimate(), 2)).toEqual(notAvailable("reliability-below-minus-one"));
  });
});
