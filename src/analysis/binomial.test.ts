import binomialCdf from "@stdlib/stats-base-dists-binomial-cdf";
import { describe, expect, it } from "vitest";
import { binomialSampler } from "./binomial.js";

/** Pearson chi-square of draws against the exact Binomial(n, p) cdf, on bins of expected count ≥ 20. */
function chiSquare(n: number, p: number, draws: number, seed: number): { statistic: number; bins: number } {
  const sample = binomialSampler(seed);
  const counts = new Map<number, number>();
  for (let index = 0; index < draws; index += 1) {
    const value = sample(n, p);
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  let statistic = 0;
  let bins = 0;
  let start = 0;
  let observed = 0;
  let previousCdf = 0;
  for (let k = 0; k <= n; k += 1) {
    observed += counts.get(k) ?? 0;
    const cdf = k === n ? 1 : binomialCdf(k, n, p);
    const expected = (cdf - previousCdf) * draws;
    if (expected >= 20 || k === n) {
      statistic += (observed - expected) ** 2 / Math.max(expected, 1e-12);
      bins += 1;
      previousCdf = cdf;
      observed = 0;
      start = k + 1;
    }
  }
  void start;
  return { statistic, bins };
}

describe("binomial sampler", () => {
  // Inversion (np < 10), BTRS (np ≥ 10), and the p > 0.5 reflection, including the regime where
  // @stdlib/random-base-binomial 0.2.2 is biased (n = 300, p = 0.05: its mean is 15.48 instead of 15).
  const settings: Array<[number, number]> = [
    [20, 0.3],
    [300, 0.05],
    [150, 0.5],
    [300, 0.9],
    [54000, 0.3],
    [5000, 0.002],
    [2, 0.5],
  ];
  for (const [n, p] of settings) {
    it(`Binomial(${n}, ${p}) passes a chi-square goodness-of-fit test`, () => {
      const { statistic, bins } = chiSquare(n, p, 200_000, 11);
      // 99.9th percentile of chi-square with bins − 1 degrees of freedom is below bins + 4.5·√(2·bins) + 10.
      expect(statistic).toBeLessThan(bins + 4.5 * Math.sqrt(2 * bins) + 10);
    });
  }
  it("mean and variance of many draws match np and np(1 − p)", () => {
    const sample = binomialSampler(3);
    let sum = 0;
    let squares = 0;
    const draws = 400_000;
    for (let index = 0; index < draws; index += 1) {
      const value = sample(300, 0.05);
      sum += value;
      squares += value * value;
    }
    const mean = sum / draws;
    expect(Math.abs(mean - 15)).toBeLessThan(0.03);
    expect(Math.abs(squares / draws - mean * mean - 14.25)).toBeLessThan(0.2);
  });
  it("is deterministic for a seed, and handles the edges", () => {
    const first = binomialSampler(9);
    const second = binomialSampler(9);
    expect(Array.from({ length: 50 }, () => first(1000, 0.4))).toEqual(
      Array.from({ length: 50 }, () => second(1000, 0.4)),
    );
    expect(first(0, 0.5)).toBe(0);
    expect(first(10, 0)).toBe(0);
    expect(first(10, 1)).toBe(10);
  });
});

describe("log-factorial table", () => {
  it("keeps Binomial(200000, 0.4) unbiased (table entries near the top of the table)", () => {
    const sample = binomialSampler(5);
    let sum = 0;
    for (let index = 0; index < 50_000; index += 1) sum += sample(200_000, 0.4);
    // SD of the mean of 50,000 draws: √(200000·0.4·0.6 / 50000) ≈ 0.98; 5 SD.
    expect(Math.abs(sum / 50_000 - 80_000)).toBeLessThan(5);
  });
});
