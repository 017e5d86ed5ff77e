import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import { averageRanks } from "./ranks.js";
import { requireFinite } from "./validate.js";

/** Result of a two-sided Wilcoxon signed-rank test, as SciPy's `wilcoxon(x, y)` reports it. */
export interface WilcoxonResult {
  /** SciPy's `statistic` for a two-sided test: min(W+, W−). */
  readonly statistic: number;
  readonly pValue: number;
  /** Number of pairs left after dropping zero differences. */
  readonly n: number;
  readonly method: "exact" | "permutation" | "asymptotic";
}

/**
 * Two-sided Wilcoxon signed-rank test on paired samples with SciPy's defaults (`zero_method="wilcox"`,
 * `correction=False`, `method="auto"`). Zero differences are dropped before ranking. SciPy's "auto" rule
 * (since 1.13), applied to the number of pairs *including* zero differences:
 * - ≤ 50 pairs, no ties among |d| and no zeros: exact null distribution of W+;
 * - ties or zeros and ≤ 13 pairs: exact sign-flip permutation test over all 2ⁿ flips (deterministic);
 * - otherwise: normal approximation with tie correction, no continuity correction.
 * Null when the samples differ in length, are empty, or every difference is zero. A RangeError for a non-finite value.
 */
export function wilcoxonSignedRank(first: ArrayLike<number>, second: ArrayLike<number>): WilcoxonResult | null {
  requireFinite(first, "wilcoxonSignedRank", "first");
  requireFinite(second, "wilcoxonSignedRank", "second");
  if (first.length !== second.length || first.length === 0) return null;
  const pairs = first.length;
  // Beyond 50 pairs the test is always the normal approximation, which needs only W+, n and the tie term: counted per
  // distinct |d| in linear time (reports pool millions of pairs on a grid of a few dozen differences).
  if (pairs > 50) return asymptoticFromCounts(first, second);
  const differences: number[] = [];
  for (let index = 0; index < pairs; index += 1) {
    const difference = (first[index] ?? Number.NaN) - (second[index] ?? Number.NaN);
    if (difference !== 0) differences.push(difference);
  }
  const n = differences.length;
  if (n === 0) return null;
  const { ranks, tieTerm } = averageRanks(differences.map((difference) => Math.abs(difference)));
  let plus = 0;
  let minus = 0;
  for (let index = 0; index < n; index += 1) {
    if ((differences[index] ?? 0) > 0) plus += ranks[index] ?? 0;
    else minus += ranks[index] ?? 0;
  }
  const statistic = Math.min(plus, minus);
  const hasZeros = n < pairs;
  const hasTies = tieTerm > 0;
  if (pairs <= 50 && !hasTies && !hasZeros) {
    const distribution = signedRankDistribution(n);
    const pValue = 2 * Math.min(upperTail(distribution, Math.floor(plus)), lowerTail(distribution, Math.ceil(plus)));
    return { statistic, pValue: Math.min(1, Math.max(0, pValue)), n, method: "exact" };
  }
  if (pairs <= 13) {
    return { statistic, pValue: permutationPValue(ranks, plus), n, method: "permutation" };
  }
  return asymptotic(plus, statistic, n, tieTerm);
}

/** The normal approximation with tie correction and no continuity correction (SciPy's "asymptotic"). */
function asymptotic(plus: number, statistic: number, n: number, tieTerm: number): WilcoxonResult {
  const mean = (n * (n + 1)) / 4;
  const deviation = Math.sqrt((n * (n + 1) * (2 * n + 1) - tieTerm / 2) / 24);
  const z = (plus - mean) / deviation;
  return { statistic, pValue: Math.min(1, 2 * normalCdf(-Math.abs(z), 0, 1)), n, method: "asymptotic" };
}

/**
 * The asymptotic test from the counts of each distinct |d| (all, and positive): a value's average rank is the count
 * below it + (its count + 1) / 2, as `averageRanks` gives each member of a tie. Ranks are half-integers, so W+ and W−
 * are exact sums and equal the element-wise result. Null when every difference is zero.
 */
function asymptoticFromCounts(first: ArrayLike<number>, second: ArrayLike<number>): WilcoxonResult | null {
  const counts = new Map<number, { all: number; positive: number }>();
  let n = 0;
  for (let index = 0; index < first.length; index += 1) {
    const difference = (first[index] ?? Number.NaN) - (second[index] ?? Number.NaN);
    if (difference === 0) continue;
    n += 1;
    const key = Math.abs(difference);
    const entry = counts.get(key);
    if (entry === undefined) counts.set(key, { all: 1, positive: difference > 0 ? 1 : 0 });
    else {
      entry.all += 1;
      if (difference > 0) entry.positive += 1;
    }
  }
  if (n === 0) return null;
  let below = 0;
  let plus = 0;
  let tieTerm = 0;
  for (const key of Float64Array.from(counts.keys()).sort()) {
    const entry = counts.get(key) ?? { all: 0, positive: 0 };
    plus += entry.positive * (below + (entry.all + 1) / 2);
    tieTerm += entry.all ** 3 - entry.all;
    below += entry.all;
  }
  const minus = (n * (n + 1)) / 2 - plus;
  return asymptotic(plus, Math.min(plus, minus), n, tieTerm);
}

/** P(W+ = k) for k = 0 … n(n+1)/2 under the null with no ties: subset-sum counts of {1 … n}, halved per step. */
function signedRankDistribution(n: number): Float64Array {
  let probabilities = Float64Array.of(1);
  for (let rank = 1; rank <= n; rank += 1) {
    const next = new Float64Array(probabilities.length + rank);
    for (let k = 0; k < probabilities.length; k += 1) {
      const half = (probabilities[k] ?? 0) / 2;
      next[k] = (next[k] ?? 0) + half;
      next[k + rank] = (next[k + rank] ?? 0) + half;
    }
    probabilities = next;
  }
  return probabilities;
}

/** P(W+ ≥ k), summing the shorter side (as SciPy does) so tails near 1 are not lost to cancellation. */
function upperTail(distribution: Float64Array, k: number): number {
  const mean = (distribution.length - 1) / 2;
  return k <= mean ? sumRange(distribution, k, distribution.length - 1) : 1 - sumRange(distribution, 0, k - 1);
}

/** P(W+ ≤ k). */
function lowerTail(distribution: Float64Array, k: number): number {
  const mean = (distribution.length - 1) / 2;
  return k <= mean ? sumRange(distribution, 0, k) : 1 - sumRange(distribution, k + 1, distribution.length - 1);
}

function sumRange(values: Float64Array, from: number, to: number): number {
  let total = 0;
  for (let index = Math.max(0, from); index <= Math.min(to, values.length - 1); index += 1) total += values[index] ?? 0;
  return total;
}

/**
 * Two-sided p-value of SciPy's exact sign-flip permutation test: W+ over every assignment of signs to the ranks
 * (flipping a zero difference changes nothing, so enumerating the non-zero ones gives the same proportions),
 * 2·min(P(W+ ≤ observed), P(W+ ≥ observed)) with SciPy's relative tolerance of 100·ε, capped at 1.
 */
function permutationPValue(ranks: Float64Array, observed: number): number {
  const n = ranks.length;
  const total = 2 ** n;
  const tolerance = Math.abs(100 * Number.EPSILON * observed);
  let atMost = 0;
  let atLeast = 0;
  for (let mask = 0; mask < total; mask += 1) {
    let sum = 0;
    for (let bit = 0; bit < n; bit += 1) if ((mask >> bit) & 1) sum += ranks[bit] ?? 0;
    if (sum <= observed + tolerance) atMost += 1;
    if (sum >= observed - tolerance) atLeast += 1;
  }
  return Math.min(1, (2 * Math.min(atMost, atLeast)) / total);
}
