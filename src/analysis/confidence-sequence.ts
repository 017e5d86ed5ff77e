/**
 * An anytime-valid confidence sequence for the mean of a finite population sampled without replacement: the
 * hedged betting confidence sequence of Waudby-Smith & Ramdas ("Confidence sequences for sampling without
 * replacement", NeurIPS 2020; "Estimating means of bounded random variables by betting", JRSS-B 2023), written from
 * the maths (no library implements it for JavaScript; see docs/decisions/0022-precision-driven-sampling.md).
 *
 * The population holds N values in [0, 1] with mean μ. Values are drawn one by one in a uniformly random order
 * without replacement. For a candidate mean m, the mean of the values not yet drawn before draw t is
 * μ_t(m) = (N·m − Σ_{i<t} x_i) / (N − t + 1); under m = μ it is the conditional mean of x_t. Two gamblers bet on
 * x_t − μ_t(m): K⁺_t(m) = Π (1 + λ⁺_i (x_i − μ_i(m))) bets that the mean is above m, K⁻_t(m) = Π (1 − λ⁻_i (x_i −
 * μ_i(m))) below. Under the true mean both are non-negative martingales from 1, hence so is
 * θ·K⁺ + (1 − θ)·K⁻ ≥ max(θ·K⁺, (1 − θ)·K⁻) = K_t(m), and Ville's inequality gives P(∃t: K_t(μ) ≥ 1/α) ≤ α. The
 * confidence sequence is {m : K_s(m) < 1/α for every s ≤ t} (the running intersection), which therefore contains μ
 * at every time simultaneously, and so at any stopping time, with probability ≥ 1 − α.
 *
 * Bets are predictable (they use only earlier draws): the paper's plug-in λ_t = √(2·log(2/α) / (σ̂²_{t−1}·t·log(1 +
 * t))) with the running variance σ̂² of the paper, or, with a planned sample size n* fixed in advance, its fixed-time
 * bet λ_t = √(2·log(2/α) / (σ̂²_{t−1}·n*)) (narrowest around n*, still valid at every time), truncated to λ⁺ ≤ c/μ_t(m) and λ⁻ ≤ c/(1 − μ_t(m)) (c = 1/2) so
 * each factor stays ≥ 1 − c > 0. For a fixed draw, K⁺ falls and K⁻ rises as m grows, so the set of candidates is an
 * interval; candidates live on a grid (every k/N when N is small enough: the mean of binary outcomes is one of
 * them; else a fine grid, and the interval is widened by one grid step on each side so it still holds the truth).
 * A candidate with no possible remaining values (N·m − Σx outside [0, N − t]) is excluded outright, so after all N
 * draws only the exact mean remains. Each draw costs O(surviving candidates).
 */

/** Settings of a confidence sequence. */
export interface ConfidenceSequenceOptions {
  /** N: how many values the population holds (a positive integer). */
  readonly populationSize: number;
  /** 1 − the coverage; default 0.05 (a 95 % sequence). */
  readonly alpha?: number;
  /** The most grid candidates above 0 (default 2,000): every k/N when N is at most this, else k/maxGridSteps. */
  readonly maxGridSteps?: number;
  /**
   * n*: the sample size the bets are tuned for (Waudby-Smith & Ramdas 2023's fixed-time bet λ_t =
   * √(2·log(2/α) / (σ̂²_{t−1}·n*))), which makes the sequence narrowest around n* instead of uniformly over time;
   * absent: the time-uniform plug-in λ_t = √(2·log(2/α) / (σ̂²_{t−1}·t·log(1 + t))). Either is predictable, so the
   * sequence stays valid at every time; n* must be fixed before the first draw (not chosen from the draws).
   */
  readonly plannedSampleSize?: number;
}

/** The confidence sequence's interval at the current draw. */
export interface ConfidenceInterval {
  readonly low: number;
  readonly high: number;
  readonly halfWidth: number;
  /** Draws seen so far. */
  readonly n: number;
  /** The mean of the draws (NaN before the first). */
  readonly sampleMean: number;
}

const DEFAULT_ALPHA = 0.05;
const DEFAULT_GRID_STEPS = 2000;
/** The paper's truncation constant c: every factor of the capital stays ≥ 1 − c. */
const TRUNCATION = 0.5;
/** θ: the weight of the "mean is above m" gambler in the hedged capital. */
const THETA = 0.5;
const TOLERANCE = 1e-9;

/**
 * The hedged betting confidence sequence for sampling without replacement, updated one draw at a time.
 * Draws must come in a uniformly random order for its guarantee (see the module note).
 */
export class WithoutReplacementConfidenceSequence {
  readonly populationSize: number;
  readonly alpha: number;
  private readonly steps: number;
  /** Whether grid point k/steps can be the exact mean of binary values (steps = N). */
  private readonly lattice: boolean;
  /**
   * K⁺ and K⁻ per grid candidate, as plain products: a survivor's capital stays below 2/α, and one that underflows
   * towards 0 only stops being excludable from that side (conservative), so no logarithms are needed (they cost
   * several times more per draw).
   */
  private readonly plus: Float64Array;
  private readonly minus: Float64Array;
  /** K⁺ ≥ 1/(α·θ) or K⁻ ≥ 1/(α·(1 − θ)) excludes a candidate: max(θ·K⁺, (1 − θ)·K⁻) ≥ 1/α. */
  private readonly plusThreshold: number;
  private readonly minusThreshold: number;
  private readonly lambdaScale: number;
  private readonly planned: number | undefined;
  /** Surviving candidates are the grid indexes lo..hi (empty when lo > hi). */
  private lo = 0;
  private hi: number;
  private count = 0;
  private sum = 0;
  private binary = true;
  /** The paper's running mean and variance estimates (μ̂, σ̂²) for the plug-in bet. */
  private meanEstimate = 0.5;
  private squaredDeviations = 0.25;

  constructor(options: ConfidenceSequenceOptions) {
    const { populationSize } = options;
    if (!Number.isInteger(populationSize) || populationSize < 1) {
      throw new RangeError(`WithoutReplacementConfidenceSequence: populationSize must be a positive integer`);
    }
    const alpha = options.alpha ?? DEFAULT_ALPHA;
    if (!(alpha > 0 && alpha < 1))
      throw new RangeError("WithoutReplacementConfidenceSequence: alpha must be in (0, 1)");
    const maxSteps = options.maxGridSteps ?? DEFAULT_GRID_STEPS;
    if (!Number.isInteger(maxSteps) || maxSteps < 1) {
      throw new RangeError("WithoutReplacementConfidenceSequence: maxGridSteps must be a positive integer");
    }
    const planned = options.plannedSampleSize;
    if (planned !== undefined && !(planned >= 1 && Number.isFinite(planned))) {
      throw new RangeError("WithoutReplacementConfidenceSequence: plannedSampleSize must be a finite number ≥ 1");
    }
    this.planned = planned;
    this.populationSize = populationSize;
    this.alpha = alpha;
    this.lattice = populationSize <= maxSteps;
    this.steps = this.lattice ? populationSize : maxSteps;
    this.hi = this.steps;
    this.plus = new Float64Array(this.steps + 1).fill(1);
    this.minus = new Float64Array(this.steps + 1).fill(1);
    this.plusThreshold = 1 / (alpha * THETA);
    this.minusThreshold = 1 / (alpha * (1 - THETA));
    this.lambdaScale = 2 * Math.log(2 / alpha);
  }

  /** Draws seen so far. */
  get n(): number {
    return this.count;
  }

  /** Adds the next draw, a value in [0, 1]. Throws once all N values were drawn. */
  observe(value: number): void {
    if (!(value >= 0 && value <= 1)) {
      throw new RangeError(`WithoutReplacementConfidenceSequence.observe: value must be in [0, 1], got ${value}`);
    }
    const N = this.populationSize;
    if (this.count >= N) throw new RangeError("WithoutReplacementConfidenceSequence.observe: all N values were drawn");
    const t = this.count + 1;
    const horizon = this.planned ?? t * Math.log(1 + t);
    const lambda = Math.sqrt(this.lambdaScale / (this.varianceEstimate() * horizon));
    const remaining = N - t + 1;
    const sumBefore = this.sum;
    for (let k = this.lo; k <= this.hi; k += 1) {
      const mu = (N * this.gridValue(k) - sumBefore) / remaining;
      if (mu < -TOLERANCE || mu > 1 + TOLERANCE) continue; // excluded below by the consistency check
      const clipped = Math.min(1, Math.max(0, mu));
      const deviation = value - clipped;
      const plusBet = clipped > 0 ? Math.min(lambda, TRUNCATION / clipped) : lambda;
      const minusBet = clipped < 1 ? Math.min(lambda, TRUNCATION / (1 - clipped)) : lambda;
      this.plus[k] = (this.plus[k] ?? 1) * (1 + plusBet * deviation);
      this.minus[k] = (this.minus[k] ?? 1) * (1 - minusBet * deviation);
    }
    this.count = t;
    this.sum += value;
    if (value !== 0 && value !== 1) this.binary = false;
    this.updateEstimates(value);
    this.shrink();
  }

  /** The interval at the current draw: [0, 1] before any. */
  interval(): ConfidenceInterval {
    const N = this.populationSize;
    const consistentLow = this.sum / N;
    const consistentHigh = (this.sum + (N - this.count)) / N;
    let lowIndex = Math.min(this.lo, this.hi);
    let highIndex = Math.max(this.lo, this.hi);
    if (!(this.lattice && this.binary)) {
      lowIndex = Math.max(0, lowIndex - 1);
      highIndex = Math.min(this.steps, highIndex + 1);
    }
    const low = Math.max(consistentLow, this.gridValue(lowIndex));
    const high = Math.max(low, Math.min(consistentHigh, this.gridValue(highIndex)));
    return {
      low,
      high,
      halfWidth: (high - low) / 2,
      n: this.count,
      sampleMean: this.count === 0 ? Number.NaN : this.sum / this.count,
    };
  }

  private gridValue(k: number): number {
    return k / this.steps;
  }

  /** σ̂²_{t−1} of the paper: (1/4 + Σ (x_i − μ̂_i)²) / t. */
  private varianceEstimate(): number {
    return this.squaredDeviations / (this.count + 1);
  }

  private updateEstimates(value: number): void {
    // μ̂_t = (1/2 + Σ_{i≤t} x_i) / (t + 1); σ̂²_t = (1/4 + Σ_{i≤t} (x_i − μ̂_i)²) / (t + 1).
    this.meanEstimate = (0.5 + this.sum) / (this.count + 1);
    this.squaredDeviations += (value - this.meanEstimate) ** 2;
  }

  /** Drops candidates the bets or the consistency check exclude: a prefix from below, a suffix from above. */
  private shrink(): void {
    const N = this.populationSize;
    const left = N - this.count;
    const excludedBelow = (k: number): boolean =>
      N * this.gridValue(k) - this.sum < -TOLERANCE * N || (this.plus[k] ?? 1) >= this.plusThreshold;
    const excludedAbove = (k: number): boolean =>
      N * this.gridValue(k) - this.sum > left + TOLERANCE * N || (this.minus[k] ?? 1) >= this.minusThreshold;
    while (this.lo <= this.hi && excludedBelow(this.lo)) this.lo += 1;
    while (this.hi >= this.lo && excludedAbove(this.hi)) this.hi -= 1;
  }
}

/** z of a two-sided 95 % normal interval. */
const Z_95 = 1.959964;

/**
 * The sample size to tune the bets for when sampling until the half-width is at most `precision` (decision 0022):
 * the n at which a without-replacement Wald interval at the widest variance (rate ½) has that half-width,
 * n* = N / (1 + N·w² / (z²·¼)). It uses only fixed inputs, so bets tuned to it stay predictable.
 */
export function plannedSampleSize(populationSize: number, precision: number): number {
  if (!(precision > 0)) return populationSize;
  return Math.max(1, populationSize / (1 + (populationSize * precision * precision) / (Z_95 * Z_95 * 0.25)));
}
