import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import type { Histogram } from "./histogram.js";
import { averageRanks } from "./ranks.js";
import { requireFinite, requireUnitInterval } from "./validate.js";

/** Result of a two-sided Mann–Whitney U test, as SciPy's `mannwhitneyu` reports it. */
export interface MannWhitneyResult {
  /** U of the first sample (SciPy's `statistic`). */
  readonly u: number;
  readonly pValue: number;
  readonly method: "exact" | "asymptotic";
  readonly n1: number;
  readonly n2: number;
}

/**
 * Two-sided Mann–Whitney U test with SciPy's defaults (`method="auto"`, `use_continuity=True`): the exact
 * distribution when one sample has at most 8 values and there are no ties, else the normal approximation
 * with tie correction and continuity correction. Null when either sample is empty; a RangeError for a non-finite value.
 */
export function mannWhitneyU(first: readonly number[], second: readonly number[]): MannWhitneyResult | null {
  requireFinite(first, "mannWhitneyU", "first");
  requireFinite(second, "mannWhitneyU", "second");
  const n1 = first.length;
  const n2 = second.length;
  if (n1 === 0 || n2 === 0) return null;
  const { ranks, tieTerm } = averageRanks([...first, ...second]);
  let rankSum = 0;
  for (let index = 0; index < n1; index += 1) rankSum += ranks[index] ?? 0;
  return fromRankSum(rankSum, tieTerm, n1, n2);
}

/**
 * The same test from two histograms (identical results; time proportional to the distinct values, for samples of
 * tens of thousands of scores). Small tie-free samples go through the exact path as above. A RangeError for a
 * non-finite value: the merge below advances only past values equal to the smaller head, and NaN equals nothing.
 */
export function mannWhitneyUHistograms(first: Histogram, second: Histogram): MannWhitneyResult | null {
  requireFinite(first.values, "mannWhitneyUHistograms", "first.values");
  requireFinite(second.values, "mannWhitneyUHistograms", "second.values");
  const n1 = first.n;
  const n2 = second.n;
  if (n1 === 0 || n2 === 0) return null;
  let rankSum = 0;
  let tieTerm = 0;
  let position = 0;
  let i = 0;
  let j = 0;
  while (i < first.distinct || j < second.distinct) {
    const a = i < first.distinct ? (first.values[i] ?? Infinity) : Infinity;
    const b = j < second.distinct ? (second.values[j] ?? Infinity) : Infinity;
    const value = Math.min(a, b);
    const inFirst = a === value ? (first.counts[i++] ?? 0) : 0;
    const inSecond = b === value ? (second.counts[j++] ?? 0) : 0;
    const tied = inFirst + inSecond;
    rankSum += inFirst * (position + (tied + 1) / 2);
    tieTerm += tied ** 3 - tied;
    position += tied;
  }
  return fromRankSum(rankSum, tieTerm, n1, n2);
}

function fromRankSum(rankSum: number, tieTerm: number, n1: number, n2: number): MannWhitneyResult {
  const u1 = rankSum - (n1 * (n1 + 1)) / 2;
  const u = Math.max(u1, n1 * n2 - u1);
  if (Math.min(n1, n2) <= 8 && tieTerm === 0) {
    return { u: u1, pValue: Math.min(1, 2 * exactUpperTail(n1, n2, u)), method: "exact", n1, n2 };
  }
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const deviation = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (deviation === 0) return { u: u1, pValue: 1, method: "asymptotic", n1, n2 };
  const z = (u - mean - 0.5) / deviation;
  return { u: u1, pValue: Math.min(1, 2 * normalCdf(-z, 0, 1)), method: "asymptotic", n1, n2 };
}

/**
 * P(U ≥ u) under the null for sample sizes n1, n2 (no ties), with the recurrence on probabilities
 * p(u; i, j) = i/(i+j)·p(u−j; i−1, j) + j/(i+j)·p(u; i, j−1), iterating over the larger sample so memory stays
 * O(small · small · large).
 */
function exactUpperTail(n1: number, n2: number, u: number): number {
  const small = Math.min(n1, n2);
  const large = Math.max(n1, n2);
  let previous: Float64Array[] = Array.from({ length: small + 1 }, () => Float64Array.of(1));
  for (let j = 1; j <= large; j += 1) {
    const current: Float64Array[] = [Float64Array.of(1)];
    for (let i = 1; i <= small; i += 1) {
      const row = new Float64Array(i * j + 1);
      const fromSmall = current[i - 1] ?? Float64Array.of(1);
      const fromLarge = previous[i] ?? Float64Array.of(1);
      for (let k = 0; k < row.length; k += 1) {
        const shifted = k - j >= 0 ? (fromSmall[k - j] ?? 0) : 0;
        row[k] = (i / (i + j)) * shifted + (j / (i + j)) * (fromLarge[k] ?? 0);
      }
      current.push(row);
    }
    previous = current;
  }
  const distribution = previous[small] ?? Float64Array.of(1);
  let tail = 0;
  for (let k = Math.ceil(u); k < distribution.length; k += 1) tail += distribution[k] ?? 0;
  return tail;
}

/** Bonferroni: each p-value times the number of comparisons, capped at 1. A RangeError for a p-value outside [0, 1]. */
export function bonferroni(pValues: readonly number[]): number[] {
  for (const [index, p] of pValues.entries()) requireUnitInterval(p, "bonferroni", `pValues[${index}]`);
  return pValues.map((p) => Math.min(1, p * pValues.length));
}
