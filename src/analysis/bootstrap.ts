import { type BinomialSampler, binomialSampler } from "./binomial.js";
import { type Histogram, sortedQuantile } from "./histogram.js";
import { requireCount } from "./validate.js";

/** Percentile bootstrap settings: resamples, base seed, confidence level (0.95 for a 95 % interval). */
export interface BootstrapOptions {
  readonly resamples: number;
  readonly seed: number;
  readonly confidence: number;
}

export interface Interval {
  readonly low: number;
  readonly high: number;
}

/**
 * The random stream of one interval: seeded from the base seed and the interval's key, so an interval depends
 * only on its data, the seed and its key — not on the order intervals are computed in.
 */
function streamFor(options: BootstrapOptions, key: string): BinomialSampler {
  let hash = 0x811c9dc5 ^ (options.seed >>> 0);
  for (let index = 0; index < key.length; index += 1) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return binomialSampler(hash | 0);
}

/**
 * One resampled mean: draws the multinomial counts of n values from the histogram's bins with conditional
 * binomials (count of bin i ~ Binomial(remaining draws, count_i / remaining count)), which has exactly the
 * distribution of drawing n values with replacement, in time proportional to the number of distinct values.
 */
function resampledMean(histogram: Histogram, draw: BinomialSampler): number {
  const { values, counts, n } = histogram;
  let remaining = n;
  let rest = n;
  let sum = 0;
  const last = values.length - 1;
  for (let bin = 0; bin < last && remaining > 0; bin += 1) {
    const count = counts[bin] ?? 0;
    const taken = count >= rest ? remaining : draw(remaining, count / rest);
    sum += taken * (values[bin] ?? 0);
    remaining -= taken;
    rest -= count;
  }
  sum += remaining * (values[last] ?? 0);
  return sum / n;
}

/** Throws unless the settings can make an interval: a whole number of resamples, a confidence level in (0, 1). */
function requireOptions(options: BootstrapOptions, where: string): void {
  requireCount(options.resamples, where, "resamples");
  requireConfidence(options.confidence, where);
}

function requireConfidence(confidence: number, where: string): void {
  if (!(confidence > 0 && confidence < 1))
    throw new RangeError(`${where}: confidence must be a number in (0, 1), e.g. 0.95; it is ${String(confidence)}`);
}

/** The α/2 and 1 − α/2 quantiles (type 7) of bootstrap estimates (sorts them in place); confidence in (0, 1). */
export function percentileInterval(estimates: Float64Array, confidence: number): Interval {
  requireConfidence(confidence, "percentileInterval");
  estimates.sort();
  const alpha = (1 - confidence) / 2;
  return {
    low: sortedQuantile(estimates, alpha) ?? Number.NaN,
    high: sortedQuantile(estimates, 1 - alpha) ?? Number.NaN,
  };
}

/**
 * Percentile bootstrap interval of the mean (as scipy.stats.bootstrap(method="percentile")): `resamples` means
 * of n values drawn with replacement, and their α/2 and 1 − α/2 quantiles. Null for an empty sample.
 */
export function bootstrapMeanInterval(histogram: Histogram, options: BootstrapOptions, key: string): Interval | null {
  const estimates = bootstrapMeans(histogram, options, key);
  return estimates === null ? null : percentileInterval(estimates, options.confidence);
}

/**
 * The `resamples` bootstrap means themselves, in draw order (null for an empty sample). Two independent samples'
 * estimates, subtracted index by index, are draws of the difference of means: comparisons reuse them.
 */
export function bootstrapMeans(histogram: Histogram, options: BootstrapOptions, key: string): Float64Array | null {
  requireOptions(options, "bootstrapMeans");
  if (histogram.n === 0 || options.resamples < 1) return null;
  const estimates = new Float64Array(options.resamples);
  if (histogram.distinct === 1) return estimates.fill(histogram.values[0] ?? 0);
  const draw = streamFor(options, key);
  for (let resample = 0; resample < options.resamples; resample += 1)
    estimates[resample] = resampledMean(histogram, draw);
  return estimates;
}

/** Percentile bootstrap interval of a rate (count successes out of n): the mean of 0/1 outcomes. */
export function bootstrapRateInterval(
  count: number,
  n: number,
  options: BootstrapOptions,
  key: string,
): Interval | null {
  requireOptions(options, "bootstrapRateInterval");
  requireCount(count, "bootstrapRateInterval", "count");
  requireCount(n, "bootstrapRateInterval", "n");
  if (count > n) throw new RangeError(`bootstrapRateInterval: count (${count}) must be at most n (${n})`);
  if (n === 0 || options.resamples < 1) return null;
  if (count === 0 || count === n) return { low: count / n, high: count / n };
  const draw = streamFor(options, key);
  const estimates = new Float64Array(options.resamples);
  for (let resample = 0; resample < options.resamples; resample += 1) estimates[resample] = draw(n, count / n) / n;
  return percentileInterval(estimates, options.confidence);
}

/**
 * Percentile bootstrap interval of mean(first) − mean(second) for two independent samples, each resampled on its
 * own (as scipy.stats.bootstrap with two samples and `paired=False`).
 */
export function bootstrapDifferenceInterval(
  first: Histogram,
  second: Histogram,
  options: BootstrapOptions,
  key: string,
): Interval | null {
  requireOptions(options, "bootstrapDifferenceInterval");
  if (first.n === 0 || second.n === 0 || options.resamples < 1) return null;
  const draw = streamFor(options, key);
  const estimates = new Float64Array(options.resamples);
  for (let resample = 0; resample < options.resamples; resample += 1) {
    estimates[resample] = resampledMean(first, draw) - resampledMean(second, draw);
  }
  return percentileInterval(estimates, options.confidence);
}
