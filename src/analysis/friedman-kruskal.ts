/**
 * Friedman and Kruskal–Wallis tests matching SciPy's `friedmanchisquare` and `kruskal` (both tie-corrected), with
 * p-values from the chi-square distribution (groups − 1 degrees of freedom), as SciPy computes them.
 */
import chisquareCdf from "@stdlib/stats-base-dists-chisquare-cdf";
import type { Histogram } from "./histogram.js";
import { averageRanks, rankBlock } from "./ranks.js";

export interface RankTestResult {
  readonly statistic: number;
  /** Degrees of freedom of the chi-square approximation: number of groups − 1. */
  readonly degreesOfFreedom: number;
  readonly pValue: number;
}

function withPValue(statistic: number, degreesOfFreedom: number): RankTestResult {
  return { statistic, degreesOfFreedom, pValue: 1 - chisquareCdf(statistic, degreesOfFreedom) };
}

/**
 * Friedman chi-square for k ≥ 3 related groups of n ≥ 1 blocks (`groups[g][block]`), ranking within each block with
 * average ranks and dividing by SciPy's tie correction 1 − Σ t(t² − 1) / (k(k² − 1)n). Null when there are fewer
 * than 3 groups, no blocks, the groups differ in length, or every block is entirely tied (SciPy gives NaN).
 */
export function friedmanChiSquare(groups: ReadonlyArray<ArrayLike<number>>): RankTestResult | null {
  const k = groups.length;
  if (k < 3) return null;
  const n = groups[0]?.length ?? 0;
  if (n === 0 || groups.some((group) => group.length !== n)) return null;
  const rankSums = new Float64Array(k);
  const values = new Float64Array(k);
  const ranks = new Float64Array(k);
  let ties = 0;
  for (let block = 0; block < n; block += 1) {
    for (let group = 0; group < k; group += 1) values[group] = groups[group]?.[block] ?? Number.NaN;
    ties += rankBlock(values, ranks);
    for (let group = 0; group < k; group += 1) rankSums[group] = (rankSums[group] ?? 0) + (ranks[group] ?? 0);
  }
  const correction = 1 - ties / (k * (k * k - 1) * n);
  if (correction === 0) return null;
  let sumOfSquares = 0;
  for (const rankSum of rankSums) sumOfSquares += rankSum * rankSum;
  const statistic = ((12 / (k * n * (k + 1))) * sumOfSquares - 3 * n * (k + 1)) / correction;
  return withPValue(statistic, k - 1);
}

/**
 * Kruskal–Wallis H for k ≥ 2 independent groups, ranking all values together with average ranks and dividing by
 * the tie correction 1 − Σ(t³ − t)/(N³ − N). Null when there are fewer than 2 groups, a group is empty, or every
 * value is tied (SciPy gives NaN).
 */
export function kruskalWallis(groups: readonly (readonly number[])[]): RankTestResult | null {
  const k = groups.length;
  if (k < 2 || groups.some((group) => group.length === 0)) return null;
  const all = groups.flat();
  const total = all.length;
  const { ranks, tieTerm } = averageRanks(all);
  const correction = 1 - tieTerm / (total ** 3 - total);
  if (correction === 0) return null;
  let sumOfSquaresOverN = 0;
  let offset = 0;
  for (const group of groups) {
    let rankSum = 0;
    for (let index = 0; index < group.length; index += 1) rankSum += ranks[offset + index] ?? 0;
    sumOfSquaresOverN += (rankSum * rankSum) / group.length;
    offset += group.length;
  }
  const statistic = ((12 / (total * (total + 1))) * sumOfSquaresOverN - 3 * (total + 1)) / correction;
  return withPValue(statistic, k - 1);
}

/** Kruskal–Wallis from histograms: the same statistic and p-value as `kruskalWallis` on the values. */
export function kruskalWallisHistograms(groups: readonly Histogram[]): RankTestResult | null {
  const k = groups.length;
  if (k < 2 || groups.some((group) => group.n === 0)) return null;
  const totals = new Map<number, number>();
  for (const group of groups) group.values.forEach((value, index) => totals.set(value, (totals.get(value) ?? 0) + (group.counts[index] ?? 0)));
  const distinct = [...totals.keys()].sort((left, right) => left - right);
  const averageRank = new Map<number, number>();
  let position = 0;
  let tieTerm = 0;
  for (const value of distinct) {
    const tied = totals.get(value) ?? 0;
    averageRank.set(value, position + (tied + 1) / 2);
    tieTerm += tied ** 3 - tied;
    position += tied;
  }
  const total = position;
  const correction = 1 - tieTerm / (total ** 3 - total);
  if (correction === 0) return null;
  let sumOfSquaresOverN = 0;
  for (const group of groups) {
    let rankSum = 0;
    group.values.forEach((value, index) => (rankSum += (averageRank.get(value) ?? 0) * (group.counts[index] ?? 0)));
    sumOfSquaresOverN += (rankSum * rankSum) / group.n;
  }
  const statistic = ((12 / (total * (total + 1))) * sumOfSquaresOverN - 3 * (total + 1)) / correction;
  return withPValue(statistic, k - 1);
}
