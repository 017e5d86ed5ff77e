/**
 * Inter-rater agreement statistics for a matrix of scores, items × raters.
 *
 * Conventions: `null` means "the statistic is undefined for these data" (a zero denominator, e.g. every rating
 * identical, or too few items); a `RangeError` means malformed input (ragged matrix, non-finite score, score off
 * the kappa scale, mismatched lengths).
 */

import { available, type Estimate, notAvailable } from "./estimate.js";
import { averageRanks } from "./ranks.js";

/** Rows of an items × raters matrix with every rating present, and how many rows were dropped. */
export interface CompleteRows {
  readonly rows: number[][];
  readonly dropped: number;
}

/**
 * Keeps only the rows with a rating from every rater. A rating is missing when it is `null`, `undefined` or NaN;
 * the number of raters is the longest row's length, so a shorter row counts as incomplete.
 */
export function dropIncompleteRows(matrix: readonly (readonly (number | null | undefined)[])[]): CompleteRows {
  const width = matrix.reduce((widest, row) => Math.max(widest, row.length), 0);
  const rows: number[][] = [];
  for (const row of matrix) {
    if (row.length !== width) continue;
    const complete: number[] = [];
    for (const value of row) {
      if (value === null || value === undefined || Number.isNaN(value)) break;
      complete.push(value);
    }
    if (complete.length === width) rows.push(complete);
  }
  return { rows, dropped: matrix.length - rows.length };
}

/** Mean squares of the two-way ANOVA without replication (rows = items, columns = raters). */
export interface TwoWayMeanSquares {
  /** Between items (rows), n − 1 degrees of freedom. */
  readonly msr: number;
  /** Between raters (columns), k − 1 degrees of freedom. */
  readonly msc: number;
  /** Residual, (n − 1)(k − 1) degrees of freedom. */
  readonly mse: number;
  readonly n: number;
  readonly k: number;
}

/** Two-way ANOVA mean squares of a complete, rectangular items × raters matrix with n ≥ 2 and k ≥ 2 (else null). */
export function twoWayMeanSquares(scores: readonly (readonly number[])[]): TwoWayMeanSquares | null {
  const n = scores.length;
  const k = scores[0]?.length ?? 0;
  for (const row of scores) {
    if (row.length !== k) throw new RangeError("twoWayMeanSquares: every row needs the same number of raters");
    for (const value of row)
      if (!Number.isFinite(value)) throw new RangeError("twoWayMeanSquares: scores must be finite numbers");
  }
  if (n < 2 || k < 2) return null;
  // Shift by the first score (every mean square is shift-invariant) so constant data give exact zeros.
  const origin = scores[0]?.[0] ?? 0;
  const rowMeans = new Float64Array(n);
  const columnMeans = new Float64Array(k);
  let grand = 0;
  for (let i = 0; i < n; i += 1) {
    for (let j = 0; j < k; j += 1) {
      const value = (scores[i]?.[j] ?? 0) - origin;
      rowMeans[i] = (rowMeans[i] ?? 0) + value / k;
      columnMeans[j] = (columnMeans[j] ?? 0) + value / n;
      grand += value / (n * k);
    }
  }
  let rowSquares = 0;
  for (const mean of rowMeans) rowSquares += (mean - grand) ** 2;
  let columnSquares = 0;
  for (const mean of columnMeans) columnSquares += (mean - grand) ** 2;
  let residualSquares = 0;
  for (let i = 0; i < n; i += 1) {
    for (let j = 0; j < k; j += 1) {
      const residual = (scores[i]?.[j] ?? 0) - origin - (rowMeans[i] ?? 0) - (columnMeans[j] ?? 0) + grand;
      residualSquares += residual ** 2;
    }
  }
  return {
    msr: (k * rowSquares) / (n - 1),
    msc: (n * columnSquares) / (k - 1),
    mse: residualSquares / ((n - 1) * (k - 1)),
    n,
    k,
  };
}

/**
 * ICC(2,1) of Shrout & Fleiss (1979): two-way random effects, absolute agreement, single rater,
 * (MSR − MSE) / (MSR + (k − 1)·MSE + k·(MSC − MSE)/n).
 *
 * Null when fewer than 2 items or raters, or when the denominator vanishes: every score identical, or (n = k = 2)
 * no item or rater effect at all. The denominator is never negative for n, k ≥ 2.
 */
export function icc21(scores: readonly (readonly number[])[]): number | null {
  const squares = twoWayMeanSquares(scores);
  if (squares === null) return null;
  const { msr, msc, mse, n, k } = squares;
  const denominator = msr + (k - 1) * mse + (k * (msc - mse)) / n;
  if (!(denominator > 1e-12 * (msr + msc + mse))) return null;
  // Denominator − numerator = k·MSE·(1 − 1/n) + k·MSC/n ≥ 0: at most 1 (the clamp only absorbs rounding). There is no
  // lower bound: in very small samples the estimate can fall far below −1 (e.g. [[0, 9], [10, 0]] gives −180).
  return Math.min(1, (msr - mse) / denominator);
}

/**
 * Cohen's kappa with quadratic weights (i − j)²/(max − min)² for two raters on the integer scale [min, max]:
 * 1 − Σ w·observed / Σ w·expected, expected from the product of the two raters' marginals.
 *
 * Null for no pairs, or when the expected disagreement is 0 (both raters gave one and the same score throughout).
 * Throws a RangeError for mismatched lengths, an invalid scale, or a score that is not an integer in [min, max].
 */
export function quadraticWeightedKappa(
  first: readonly number[],
  second: readonly number[],
  min: number,
  max: number,
): number | null {
  if (first.length !== second.length)
    throw new RangeError("quadraticWeightedKappa: the two raters need the same number of items");
  if (!Number.isInteger(min) || !Number.isInteger(max) || max <= min)
    throw new RangeError("quadraticWeightedKappa: the scale needs integers min < max");
  const n = first.length;
  if (n === 0) return null;
  const categories = max - min + 1;
  const firstCounts = new Float64Array(categories);
  const secondCounts = new Float64Array(categories);
  let observed = 0;
  for (let index = 0; index < n; index += 1) {
    const a = first[index] ?? Number.NaN;
    const b = second[index] ?? Number.NaN;
    for (const score of [a, b]) {
      if (!Number.isInteger(score) || score < min || score > max) {
        throw new RangeError(`quadraticWeightedKappa: score ${score} is not an integer in [${min}, ${max}]`);
      }
    }
    firstCounts[a - min] = (firstCounts[a - min] ?? 0) + 1;
    secondCounts[b - min] = (secondCounts[b - min] ?? 0) + 1;
    observed += (a - b) ** 2;
  }
  let expected = 0;
  for (let i = 0; i < categories; i += 1) {
    for (let j = 0; j < categories; j += 1)
      expected += ((firstCounts[i] ?? 0) * (secondCounts[j] ?? 0) * (i - j) ** 2) / n;
  }
  // The common factor 1/(n·(max − min)²) cancels in the ratio.
  if (expected === 0) return null;
  return 1 - observed / expected;
}

/**
 * Krippendorff's alpha, interval metric, for units × raters with missing ratings (`null`), rows may differ in length.
 * Coincidence-matrix form α = 1 − D_o/D_e = 1 − (n − 1)·Σ o_ck (c − k)² / Σ n_c n_k (c − k)², evaluated with the
 * identities Σ_{i≠j in u} (v_i − v_j)² = 2·m_u·Σ (v_i − mean_u)² and Σ_{all a, b} (a − b)² = 2·n·Σ (a − mean)².
 * Only units with at least 2 ratings are pairable.
 *
 * Null when no unit is pairable, or when D_e = 0 (every pairable rating identical).
 * Throws a RangeError for a non-finite rating.
 */
export function krippendorffAlphaInterval(units: readonly (readonly (number | null)[])[]): number | null {
  const pairable: number[][] = [];
  for (const unit of units) {
    const present: number[] = [];
    for (const value of unit) {
      if (value === null) continue;
      if (!Number.isFinite(value))
        throw new RangeError("krippendorffAlphaInterval: ratings must be finite numbers or null");
      present.push(value);
    }
    if (present.length >= 2) pairable.push(present);
  }
  const origin = pairable[0]?.[0];
  if (origin === undefined) return null;
  let n = 0;
  let total = 0;
  let withinDisagreement = 0; // Σ_u Σ_{i≠j} (v_i − v_j)² / (m_u − 1) = Σ o_ck (c − k)²
  for (const unit of pairable) {
    const m = unit.length;
    const mean = unit.reduce((sum, value) => sum + (value - origin), 0) / m;
    let squares = 0;
    for (const value of unit) squares += (value - origin - mean) ** 2;
    withinDisagreement += (2 * m * squares) / (m - 1);
    n += m;
    for (const value of unit) total += value - origin;
  }
  const grand = total / n;
  let totalSquares = 0;
  for (const unit of pairable) for (const value of unit) totalSquares += (value - origin - grand) ** 2;
  const expectedDisagreement = 2 * n * totalSquares; // Σ n_c n_k (c − k)²
  if (expectedDisagreement === 0) return null;
  return 1 - ((n - 1) * withinDisagreement) / expectedDisagreement;
}

/**
 * Spearman–Brown prophecy: reliability of the mean of k raters from the single-rater reliability r,
 * k·r / (1 + (k − 1)·r). Null when the denominator is 0 (r = −1/(k − 1)).
 * Throws a RangeError unless r ∈ [−1, 1] and k > 0 are finite: reports call `meanRaterReliability`, which gives a reason instead.
 */
export function spearmanBrown(r: number, k: number): number | null {
  if (!Number.isFinite(r) || r < -1 || r > 1) throw new RangeError("spearmanBrown: r must be in [-1, 1]");
  if (!Number.isFinite(k) || k <= 0) throw new RangeError("spearmanBrown: k must be a positive number");
  const denominator = 1 + (k - 1) * r;
  if (Math.abs(denominator) < 1e-12) return null;
  return (k * r) / denominator;
}

/**
 * The reliability of the mean of k raters (Spearman–Brown) from a single-rater reliability estimate such as
 * ICC(2,1), or why there is none: the single-rater estimate's own reason when it has none; below −1
 * ("reliability-below-minus-one": ICC(2,1) falls there in very small samples, outside the prophecy's domain); negative
 * ("negative-reliability": agreement below chance, where the prophecy assumes parallel raters and gives values that
 * mean nothing, or divides by zero at r = −1/(k − 1)). Never throws for a finite estimate (or one not available);
 * a RangeError for a non-finite value or a k that is not a positive number.
 */
export function meanRaterReliability(single: Estimate, k: number): Estimate {
  if (single.value === null) return single;
  if (!Number.isFinite(single.value))
    throw new RangeError(
      `meanRaterReliability: the single-rater reliability must be finite; got ${String(single.value)}`,
    );
  if (single.value < -1) return notAvailable("reliability-below-minus-one");
  if (single.value < 0) return notAvailable("negative-reliability");
  const value = spearmanBrown(Math.min(1, single.value), k);
  return value === null ? notAvailable("negative-reliability") : available(value);
}

/**
 * Spearman's rank correlation (Pearson correlation of average ranks), as `scipy.stats.spearmanr(x, y).statistic`.
 * Null for fewer than 2 pairs or when either variable is constant (SciPy returns NaN).
 * Throws a RangeError for mismatched lengths or non-finite values.
 */
export function spearmanRho(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new RangeError("spearmanRho: x and y need the same length");
  for (const value of [...x, ...y])
    if (!Number.isFinite(value)) throw new RangeError("spearmanRho: values must be finite");
  const n = x.length;
  if (n < 2) return null;
  const rankX = averageRanks(x).ranks;
  const rankY = averageRanks(y).ranks;
  const meanRank = (n + 1) / 2; // the average ranks always sum to n(n + 1)/2
  let product = 0;
  let squaresX = 0;
  let squaresY = 0;
  for (let index = 0; index < n; index += 1) {
    const dx = (rankX[index] ?? 0) - meanRank;
    const dy = (rankY[index] ?? 0) - meanRank;
    product += dx * dy;
    squaresX += dx * dx;
    squaresY += dy * dy;
  }
  if (squaresX === 0 || squaresY === 0) return null;
  return Math.max(-1, Math.min(1, product / Math.sqrt(squaresX * squaresY)));
}
