import { sortedQuantile } from "./histogram.js";
import { requireFinite } from "./validate.js";

/** Mean, median, 90th percentile, maximum and total of a sample of amounts (e.g. the USD of each conversation). */
export interface SpendDistribution {
  readonly n: number;
  readonly mean: number | null;
  readonly median: number | null;
  /** Type-7 quantile (numpy's default), as every quantile of the project. */
  readonly p90: number | null;
  readonly max: number | null;
  readonly total: number | null;
}

/**
 * The distribution of amounts (defined once: the report's per-conversation costs use it). Null statistics for an
 * empty sample; the total sums in ascending order so that the same amounts give the same total in any order.
 * A non-finite amount is a RangeError.
 */
export function spendDistribution(amounts: ArrayLike<number>): SpendDistribution {
  requireFinite(amounts, "spendDistribution");
  const sorted = Float64Array.from(amounts).sort();
  if (sorted.length === 0) return { n: 0, mean: null, median: null, p90: null, max: null, total: null };
  let total = 0;
  for (const amount of sorted) total += amount;
  return {
    n: sorted.length,
    mean: total / sorted.length,
    median: sortedQuantile(sorted, 0.5),
    p90: sortedQuantile(sorted, 0.9),
    max: sorted[sorted.length - 1] ?? null,
    total,
  };
}
