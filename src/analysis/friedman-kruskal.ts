/**
 * Friedman and Kruskal–Wallis tests matching SciPy's `friedmanchisquare` and `kruskal` (both tie-corrected), with
 * p-values from the chi-square distribution (groups − 1 degrees of freedom), as SciPy computes them.
 */
import gammainc from "@stdlib/math-base-special-gammainc";
import type { Histogram } from "./histogram.js";
import { averageRanks, rankBlock } from "./ranks.js";
import { requireFinite } from "./validate.js";

export interface RankTestResult {
  readonly statistic: number;
  /** Degrees of freedom of the chi-square approximation: number of groups − 1. */
  readonly degreesOfFreedom: number;
  readonly pValue: number;
}

/**
 * P(χ²_df ≥ x), the chi-square survival function, as the regularized upper incomplete gamma Q(df/2, x/2) (SciPy's
 * `chi2.sf`). Computed directly, not as 1 − CDF, which loses every digit below ~1e-16 (a strong effect in a large run
 * would print p = 0) and about 1e-4 of relative precision near 1e-13. x ≤ 0 gives 1.
 */
export function chiSquareUpperTail(x: number, degreesOfFreedom: number): number {
  if (!(degreesOfFreedom > 0) || !Number.isFinite(degreesOfFreedom))
    throw new RangeError(
      `chiSquareUpperTail: degrees of freedom must be a positive finite number; got ${String(degreesOfFreedom)}`,
    );
  if (Number.isNaN(x)) throw new RangeError("chiSquareUpperTail: x must be a number; got NaN");
  if (x <= 0) return 1;
  return Math.min(1, Math.max(0, gammainc(x / 2, degreesOfFreedom / 2, true, true)));
}

/**
 * The statistic (a value within rounding of 0 from below, as SciPy can print, clamped to 0: a χ² is a sum of
 * squares) and its upper-tail p-value.
 */
function withPValue(statistic: number, degreesOfFreedom: number): RankTestResult {
  const nonNegative = Math.max(0, statistic);
  return { statistic: nonNegative, degreesOfFreedom, pValue: chiSquareUpperTail(nonNegative, degreesOfFreedom) };
}

/**
 * Friedman chi-square for k ≥ 3 related groups of n ≥ 1 blocks (`groups[g][block]`), ranking within each block with
 * average ranks and dividing by SciPy's tie correction 1 − Σ t(t² − 1) / (k(k² − 1)n). Null when there are fewer
 * than 3 groups, no blocks, the groups differ in length, or every block is entirely tied (SciPy gives NaN). A
 * RangeError for a non-finite value.
 */
export function friedmanChiSquare(groups: ReadonlyArray<ArrayLike<number>>): RankTestResult | null {
  for (const [index, group] of groups.entries()) requireFinite(group, "friedmanChiSquare", `groups[${index}]`);
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
 * value is tied (SciPy gives NaN). A RangeError for a non-finite value.
 */
export function kruskalWallis(groups: readonly (readonly number[])[]): RankTestResult | null {
  for (const [index, group] of groups.entries()) requireFinite(group, "kruskalWallis", `groups[${index}]`);
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
  for (const [index, group] of groups.entries())
    requireFinite(group.values, "kruskalWallisHistograms", `groups[${index}].values`);
  const k = groups.length;
  if (k < 2 || groups.some((group) => group.n === 0)) return null;
  const totals = new Map<number, number>();
  for (const group of groups)
    for (const [index, value] of group.values.entries())
      totals.set(value, (totals.get(value) ?? 0) + (group.counts[index] ?? 0));
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
    for (const [index, value] of group.values.entries())
      rankSum += (averageRank.get(value) ?? 0) * (group.counts[index] ?? 0);
    sumOfSquaresOverN += (rankSum * rankSum) / group.n;
  }
  const statistic = ((12 / (total * (total + 1))) * sumOfSquaresOverN - 3 * (total + 1)) / correction;
  return withPValue(statistic, k - 1);
}
