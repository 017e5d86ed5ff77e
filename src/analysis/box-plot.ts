import type { Histogram } from "./histogram.js";

/** How far a box plot's whiskers reach (stated with every box the report draws). */
export const WHISKER_RULE = "tukey-1.5-iqr" as const;

/**
 * A box plot's numbers (Tukey's rule, as matplotlib's and Vega-Lite's default boxplot): quartiles by linear
 * interpolation (type 7, numpy's default), whiskers at the most extreme observations within 1.5 × IQR of the box,
 * observations beyond them counted as outliers; a whisker never ends inside the box (matplotlib's clamp).
 */
export interface BoxPlotStatistics {
  readonly n: number;
  readonly min: number;
  readonly q1: number;
  readonly median: number;
  readonly q3: number;
  readonly max: number;
  readonly mean: number;
  readonly whiskerLow: number;
  readonly whiskerHigh: number;
  /** Observations below whiskerLow or above whiskerHigh. */
  readonly outliers: number;
}

/** The box plot of a histogram's values (time in its distinct values); null for an empty sample. */
export function boxPlotStatistics(histogram: Histogram): BoxPlotStatistics | null {
  const q1 = histogram.quantile(0.25);
  const median = histogram.quantile(0.5);
  const q3 = histogram.quantile(0.75);
  const mean = histogram.mean();
  if (q1 === null || median === null || q3 === null || mean === null) return null;
  const reach = 1.5 * (q3 - q1);
  const { values, counts } = histogram;
  let whiskerLow = Number.NaN;
  let whiskerHigh = Number.NaN;
  let outliers = 0;
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index] ?? Number.NaN;
    if (value < q1 - reach || value > q3 + reach) {
      outliers += counts[index] ?? 0;
      continue;
    }
    if (Number.isNaN(whiskerLow)) whiskerLow = value;
    whiskerHigh = value;
  }
  return {
    n: histogram.n,
    min: values[0] ?? Number.NaN,
    q1,
    median,
    q3,
    max: values[values.length - 1] ?? Number.NaN,
    mean,
    // Interpolated quartiles can lie beyond every value inside the fences (n = 4: 0 10 10 10 gives q1 = 7.5 and
    // 0 outside): the whisker then stops at the box, as matplotlib's does.
    whiskerLow: Number.isNaN(whiskerLow) ? q1 : Math.min(whiskerLow, q1),
    whiskerHigh: Number.isNaN(whiskerHigh) ? q3 : Math.max(whiskerHigh, q3),
    outliers,
  };
}
