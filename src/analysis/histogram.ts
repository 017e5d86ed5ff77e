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

  /** The histogram of the values (NaN is not a value: callers keep missing scores out). */
  static of(values: ArrayLike<number>): Histogram {
    // Count with a Map, then sort only the distinct values: linear in n for scores on a small grid.
    const counts = new Map<number, number>();
    for (let index = 0; index < values.length; index += 1) {
      const value = values[index] ?? 0;
      counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    const distinct = Float64Array.from(counts.keys()).sort();
    return new Histogram(distinct, Float64Array.from(distinct, (value) => counts.get(value) ?? 0), values.length);
  }

  get distinct(): number {
    return this.values.length;
  }

  mean(): number | null {
    if (this.n === 0) return null;
    let sum = 0;
    for (let index = 0; index < this.values.length; index += 1) sum += (this.values[index] ?? 0) * (this.counts[index] ?? 0);
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

  /** Quantile with linear interpolation between order statistics (numpy's default, R's type 7). */
  quantile(q: number): number | null {
    if (this.n === 0) return null;
    const position = (this.n - 1) * q;
    const lower = Math.floor(position);
    const low = this.orderStatistic(lower);
    const fraction = position - lower;
    return fraction === 0 ? low : low + fraction * (this.orderStatistic(lower + 1) - low);
  }
}

/** Quantile (type 7) of an ascending array. */
export function sortedQuantile(sorted: ArrayLike<number>, q: number): number | null {
  if (sorted.length === 0) return null;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const low = sorted[lower] ?? Number.NaN;
  const fraction = position - lower;
  return fraction === 0 ? low : low + fraction * ((sorted[lower + 1] ?? low) - low);
}
