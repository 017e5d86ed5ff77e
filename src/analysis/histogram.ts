import type { ValueSummary } from "./descriptive.js";
import { requireFinite, requireUnitInterval } from "./validate.js";

/**
 * A sample as its sorted distinct values and their counts. Safety scores take few distinct values (a mean of two
 * integer judges on 0–10 has 21), so quantiles, rank tests and bootstrap resampling work on the histogram in time
 * proportional to the distinct values, not to the sample size.
 */
export class Histogram {
  /** Distinct values, ascending. */
  readonly values: Float64Array;
  readonly counts: Float64Array;
  readonly n: number;

  private constructor(values: Float64Array, counts: Float64Array, n: number) {
    this.values = values;
    this.counts = counts;
    this.n = n;
  }

  /** The histogram of the values. NaN is not a value (callers keep missing scores out): a RangeError, as for ±∞. */
  static of(values: ArrayLike<number>): Histogram {
    requireFinite(values, "Histogram.of");
    // Count with a Map, then sort only the distinct values: linear in n for scores on a small grid.
    const counts = new Map<number, number>();
    for (let index = 0; index < values.length; index += 1) {
      const value = values[index] ?? 0;
      counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    const distinct = Float64Array.from(counts.keys()).sort();
    return new Histogram(
      distinct,
      Float64Array.from(distinct, (value) => counts.get(value) ?? 0),
      values.length,
    );
  }

  /**
   * A histogram from ascending distinct values and their counts (taken as they are, not copied). Throws a RangeError
   * for a non-finite value or a count that is not a non-negative number.
   */
  static fromSorted(values: Float64Array, counts: Float64Array): Histogram {
    requireFinite(values, "Histogram.fromSorted");
    requireFinite(counts, "Histogram.fromSorted", "counts");
    if (counts.some((count) => count < 0)) throw new RangeError("Histogram.fromSorted: counts must not be negative");
    let n = 0;
    for (let index = 0; index < counts.length; index += 1) n += counts[index] ?? 0;
    return new Histogram(values, counts, n);
  }

  /** n, mean, standard error of the mean (n − 1) and median, as `summarize` gives for the values. */
  summary(): ValueSummary {
    const average = this.mean();
    let squares = 0;
    if (average !== null) {
      for (let index = 0; index < this.values.length; index += 1)
        squares += (this.counts[index] ?? 0) * ((this.values[index] ?? 0) - average) ** 2;
    }
    return {
      n: this.n,
      mean: average,
      sem: average === null || this.n < 2 ? null : Math.sqrt(squares / (this.n - 1)) / Math.sqrt(this.n),
      median: this.quantile(0.5),
    };
  }

  /** How many observations satisfy `keep`. */
  countWhere(keep: (value: number) => boolean): number {
    let count = 0;
    for (let index = 0; index < this.values.length; index += 1)
      if (keep(this.values[index] ?? 0)) count += this.counts[index] ?? 0;
    return count;
  }

  get distinct(): number {
    return this.values.length;
  }

  mean(): number | null {
    if (this.n === 0) return null;
    let sum = 0;
    for (let index = 0; index < this.values.length; index += 1)
      sum += (this.values[index] ?? 0) * (this.counts[index] ?? 0);
    return sum / this.n;
  }

  /** The value of the k-th smallest observation (0-based). */
  orderStatistic(k: number): number {
    let seen = 0;
    for (let index = 0; index < this.values.length; index += 1) {
      seen += this.counts[index] ?? 0;
      if (k < seen) return this.values[index] ?? Number.NaN;
    }
    return Number.NaN;
  }

  /** Quantile with linear interpolation between order statistics (numpy's default, R's type 7); q in [0, 1]. */
  quantile(q: number): number | null {
    requireUnitInterval(q, "Histogram.quantile", "q");
    if (this.n === 0) return null;
    const position = (this.n - 1) * q;
    const lower = Math.floor(position);
    const low = this.orderStatistic(lower);
    const fraction = position - lower;
    return fraction === 0 ? low : low + fraction * (this.orderStatistic(lower + 1) - low);
  }
}

/** Quantile (type 7) of an ascending array; q in [0, 1] (a RangeError otherwise). */
export function sortedQuantile(sorted: ArrayLike<number>, q: number): number | null {
  requireUnitInterval(q, "sortedQuantile", "q");
  if (sorted.length === 0) return null;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const low = sorted[lower] ?? Number.NaN;
  const fraction = position - lower;
  return fraction === 0 ? low : low + fraction * ((sorted[lower + 1] ?? low) - low);
}

/** Grid of the counter's fast path: multiples of 1/12 (halves, thirds, quarters, sixths) from −170 to 170. */
const GRID_STEPS = 12;
const GRID_OFFSET = 2048;
const GRID_SIZE = 2 * GRID_OFFSET;

/**
 * Counts values one at a time into a Histogram, without keeping them: the report adds millions of turn scores to
 * hundreds of groups. Scores on a fine grid (a mean of integer judges: halves, thirds, sixths) are counted in an
 * array slot; any other value in a Map. The histogram is the same as Histogram.of over the same values.
 */
export class HistogramCounter {
  private readonly grid = new Float64Array(GRID_SIZE);
  private readonly other = new Map<number, number>();
  private total = 0;

  get n(): number {
    return this.total;
  }

  /** One value; a RangeError for NaN or ±∞ (nothing is counted then). */
  add(value: number): void {
    const slot = value * GRID_STEPS + GRID_OFFSET;
    if (slot >= 0 && slot < GRID_SIZE && Number.isInteger(slot) && (slot - GRID_OFFSET) / GRID_STEPS === value) {
      this.grid[slot] = (this.grid[slot] ?? 0) + 1;
      this.total += 1;
      return;
    }
    // Off the grid: the only branch a non-finite value can reach (the grid test fails for NaN and ±∞).
    if (!Number.isFinite(value))
      throw new RangeError(`HistogramCounter.add: values must be finite numbers; got ${String(value)}`);
    this.other.set(value, (this.other.get(value) ?? 0) + 1);
    this.total += 1;
  }

  histogram(): Histogram {
    const counts = new Map(this.other);
    for (let slot = 0; slot < GRID_SIZE; slot += 1) {
      const count = this.grid[slot] ?? 0;
      if (count === 0) continue;
      const value = (slot - GRID_OFFSET) / GRID_STEPS;
      counts.set(value, (counts.get(value) ?? 0) + count);
    }
    const values = Float64Array.from(counts.keys()).sort();
    return Histogram.fromSorted(
      values,
      Float64Array.from(values, (value) => counts.get(value) ?? 0),
    );
  }
}
