import { requireCount, requireFinite } from "./validate.js";

/** Arithmetic mean; null for no values. Throws a RangeError for a non-finite value. */
export function mean(values: readonly number[]): number | null {
  requireFinite(values, "mean");
  return meanOfFinite(values);
}

function meanOfFinite(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/**
 * Median (mean of the two middle values for an even count); null for no values. Does not mutate input. Throws a
 * RangeError for a non-finite value (a NaN sorts last and would shift the middle: a confident wrong answer).
 */
export function median(values: readonly number[]): number | null {
  requireFinite(values, "median");
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const middle = sorted.length >> 1;
  const upper = sorted[middle] ?? 0;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? 0) + upper) / 2;
}

/** Share of passes among decided cases; null when nothing was decided. Throws unless 0 ≤ passed ≤ total are counts. */
export function rate(passed: number, total: number): number | null {
  requireCount(passed, "rate", "passed");
  requireCount(total, "rate", "total");
  if (passed > total) throw new RangeError(`rate: passed (${passed}) must be at most total (${total})`);
  return total === 0 ? null : passed / total;
}

/**
 * Standard error of the mean: sample standard deviation (n − 1) / √n; null for fewer than two values. Throws a
 * RangeError for a non-finite value.
 */
export function standardError(values: readonly number[]): number | null {
  requireFinite(values, "standardError");
  const average = meanOfFinite(values);
  if (average === null || values.length < 2) return null;
  let squares = 0;
  for (const value of values) squares += (value - average) ** 2;
  return Math.sqrt(squares / (values.length - 1)) / Math.sqrt(values.length);
}

export interface ValueSummary {
  readonly n: number;
  readonly mean: number | null;
  readonly sem: number | null;
  readonly median: number | null;
}

/** n, mean, standard error and median of finite values (a RangeError otherwise). */
export function summarize(values: readonly number[]): ValueSummary {
  return { n: values.length, mean: mean(values), sem: standardError(values), median: median(values) };
}
