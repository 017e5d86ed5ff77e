import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { kruskalWallis, kruskalWallisHistograms } from "./friedman-kruskal.js";
import { Histogram, HistogramCounter, sortedQuantile } from "./histogram.js";
import { mannWhitneyU, mannWhitneyUHistograms } from "./mann-whitney.js";

interface Reference {
  readonly quantiles: ReadonlyArray<{ name: string; x: number[]; q: number[]; expected: number[] }>;
}
const reference = JSON.parse(readFileSync(new URL("./fixtures/bootstrap.json", import.meta.url), "utf8")) as Reference;

describe("histogram quantiles equal numpy.percentile (linear)", () => {
  for (const sample of reference.quantiles) {
    it(sample.name, () => {
      const histogram = Histogram.of(sample.x);
      const sorted = Float64Array.from(sample.x).sort();
      sample.q.forEach((q, index) => {
        expect(histogram.quantile(q)).toBeCloseTo(sample.expected[index] ?? Number.NaN, 12);
        expect(sortedQuantile(sorted, q)).toBeCloseTo(sample.expected[index] ?? Number.NaN, 12);
      });
    });
  }
  it("counts distinct values and their frequencies", () => {
    const histogram = Histogram.of([3, 1, 3, 2, 3]);
    expect([...histogram.values]).toEqual([1, 2, 3]);
    expect([...histogram.counts]).toEqual([1, 1, 3]);
    expect(histogram.mean()).toBeCloseTo(2.4, 12);
    expect(Histogram.of([]).quantile(0.5)).toBeNull();
  });
  it("a counter gives the same histogram as Histogram.of, on and off its grid", () => {
    // Means of judges (halves, thirds of halves), declines (negative), off-grid values, out-of-range ones, −0.
    const values = [
      7.5,
      8,
      24.5 / 3,
      (9 + 8.5 + 7) / 3,
      -3.5,
      -0,
      0,
      0.1,
      0.1 + 0.2,
      1e6,
      -250,
      10,
      7.5,
      1 / 7,
      170,
      -170.5,
    ];
    const counter = new HistogramCounter();
    for (const value of values) counter.add(value);
    const expected = Histogram.of(values);
    const counted = counter.histogram();
    expect(counter.n).toBe(values.length);
    expect(counted.n).toBe(expected.n);
    expect([...counted.values]).toEqual([...expected.values]);
    expect([...counted.counts]).toEqual([...expected.counts]);
    expect(new HistogramCounter().histogram().n).toBe(0);
  });
});

describe("Mann–Whitney U from histograms equals the test on the values", () => {
  const cases: Array<[number[], number[]]> = [
    [
      [1, 2, 2, 3, 5, 5, 5, 9],
      [2, 3, 3, 4, 10, 0.5],
    ],
    [
      [1.5, 3.2, 4.8, 7.1],
      [2.2, 5.5, 6.3, 8.4, 9.9],
    ],
    [
      Array.from({ length: 500 }, (_, index) => ((index * 7) % 21) / 2),
      Array.from({ length: 420 }, (_, index) => ((index * 5) % 17) / 2),
    ],
    [
      [4, 4],
      [4, 4, 4],
    ],
  ];
  cases.forEach(([first, second], index) => {
    it(`case ${index}`, () => {
      const direct = mannWhitneyU(first, second);
      const binned = mannWhitneyUHistograms(Histogram.of(first), Histogram.of(second));
      expect(binned?.method).toBe(direct?.method);
      expect(binned?.u).toBeCloseTo(direct?.u ?? Number.NaN, 9);
      expect(binned?.pValue).toBeCloseTo(direct?.pValue ?? Number.NaN, 12);
    });
  });
});

describe("Kruskal–Wallis from histograms equals the test on the values", () => {
  it("three groups with ties", () => {
    const groups = [
      [1, 2, 2, 3, 5, 5],
      [2, 3, 3, 4, 10, 0.5, 7],
      Array.from({ length: 40 }, (_, index) => (index * 3) % 11),
    ];
    const direct = kruskalWallis(groups);
    const binned = kruskalWallisHistograms(groups.map((group) => Histogram.of(group)));
    expect(binned?.statistic).toBeCloseTo(direct?.statistic ?? Number.NaN, 10);
    expect(binned?.pValue).toBeCloseTo(direct?.pValue ?? Number.NaN, 12);
  });
});
