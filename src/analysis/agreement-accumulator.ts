import { available, type Estimate, notAvailable } from "./estimate.js";

/**
 * Judge agreement from running sums, for runs too large to hold as a matrix: the same ICC(2,1), Krippendorff's
 * alpha (interval) and quadratic-weighted kappa as `icc21`, `krippendorffAlphaInterval` and
 * `quadraticWeightedKappa`, fed one turn (a row of k judges' scores, null where a judge gave none) at a time.
 * Values are shifted by the first score seen, so sums of squares keep their precision. The `…Estimate` methods say why
 * a coefficient is null (see estimate.ts); the plain ones give the value or null.
 */
export class AgreementAccumulator {
  private readonly k: number;
  private origin: number | null = null;
  // ICC(2,1) over complete rows.
  private completeRows = 0;
  private completeTotal = 0;
  private completeSquares = 0;
  private rowSumSquares = 0;
  private readonly columnSums: Float64Array;
  // Krippendorff's alpha over rows with at least 2 scores.
  private pairableValues = 0;
  private pairableTotal = 0;
  private pairableSquares = 0;
  private withinDisagreement = 0;
  // Kappa per judge pair: marginal counts on the integer scale and Σ (a − b)².
  private readonly pairs: Array<{ first: Float64Array; second: Float64Array; observed: number; n: number }>;
  private readonly scaleMin: number;
  private readonly scaleMax: number;
  private incomplete = 0;

  constructor(judges: number, scale: { readonly min: number; readonly max: number } | undefined) {
    this.k = judges;
    this.columnSums = new Float64Array(judges);
    this.scaleMin = scale?.min ?? 0;
    this.scaleMax = scale?.max ?? -1;
    const categories = Math.max(0, this.scaleMax - this.scaleMin + 1);
    this.pairs = [];
    for (let first = 0; first < judges; first += 1) {
      for (let second = first + 1; second < judges; second += 1)
        this.pairs.push({
          first: new Float64Array(categories),
          second: new Float64Array(categories),
          observed: 0,
          n: 0,
        });
    }
  }

  /** One turn: `scores[j]` is judge j's score, or NaN/null when it gave none. A RangeError for ±∞. */
  add(scores: ArrayLike<number | null>): void {
    for (let j = 0; j < this.k; j += 1) {
      const value = scores[j];
      if (value === Number.POSITIVE_INFINITY || value === Number.NEGATIVE_INFINITY) {
        throw new RangeError(
          `AgreementAccumulator.add: scores must be finite numbers, or NaN/null for no score; judge ${j} gave ${String(value)}`,
        );
      }
    }
    let present = 0;
    let sum = 0;
    let squares = 0;
    for (let j = 0; j < this.k; j += 1) {
      const value = scores[j];
      if (value === null || value === undefined || Number.isNaN(value)) continue;
      if (this.origin === null) this.origin = value;
      const shifted = value - this.origin;
      present += 1;
      sum += shifted;
      squares += shifted * shifted;
    }
    if (present === 0) return;
    if (present === this.k) {
      this.completeRows += 1;
      this.completeTotal += sum;
      this.completeSquares += squares;
      this.rowSumSquares += sum * sum;
      for (let j = 0; j < this.k; j += 1)
        this.columnSums[j] = (this.columnSums[j] ?? 0) + ((scores[j] as number) - (this.origin ?? 0));
    } else this.incomplete += 1;
    if (present >= 2) {
      this.pairableValues += present;
      this.pairableTotal += sum;
      this.pairableSquares += squares;
      // Σ_{i≠j} (v_i − v_j)² / (m − 1) = 2·m·Σ (v − mean)² / (m − 1), with Σ (v − mean)² = squares − sum²/m.
      this.withinDisagreement += (2 * present * (squares - (sum * sum) / present)) / (present - 1);
    }
    let pair = 0;
    for (let first = 0; first < this.k; first += 1) {
      for (let second = first + 1; second < this.k; second += 1, pair += 1) {
        const a = scores[first];
        const b = scores[second];
        const slot = this.pairs[pair];
        if (
          slot === undefined ||
          a === null ||
          b === null ||
          a === undefined ||
          b === undefined ||
          Number.isNaN(a) ||
          Number.isNaN(b)
        )
          continue;
        slot.n += 1;
        slot.observed += (a - b) ** 2;
        if (
          Number.isInteger(a) &&
          Number.isInteger(b) &&
          a >= this.scaleMin &&
          b >= this.scaleMin &&
          a <= this.scaleMax &&
          b <= this.scaleMax
        ) {
          slot.first[a - this.scaleMin] = (slot.first[a - this.scaleMin] ?? 0) + 1;
          slot.second[b - this.scaleMin] = (slot.second[b - this.scaleMin] ?? 0) + 1;
        } else slot.n = Number.NaN; // off the integer scale: kappa is undefined
      }
    }
  }

  get completeTurns(): number {
    return this.completeRows;
  }

  get incompleteTurns(): number {
    return this.incomplete;
  }

  /** ICC(2,1) over complete turns (null as `icc21`). */
  icc21(): number | null {
    return this.icc21Estimate().value;
  }

  /** ICC(2,1), or why not: fewer than 2 complete turns (or judges), or no variance (a zero denominator). At most 1. */
  icc21Estimate(): Estimate {
    const n = this.completeRows;
    const k = this.k;
    if (n < 2 || k < 2) return notAvailable("too-few-observations");
    const correction = (this.completeTotal * this.completeTotal) / (n * k);
    const rowSquares = this.rowSumSquares / k - correction;
    let columnSquares = -correction;
    for (const sum of this.columnSums) columnSquares += (sum * sum) / n;
    const residualSquares = this.completeSquares - correction - rowSquares - columnSquares;
    const msr = rowSquares / (n - 1);
    const msc = columnSquares / (k - 1);
    const mse = Math.max(0, residualSquares) / ((n - 1) * (k - 1));
    const denominator = msr + (k - 1) * mse + (k * (msc - mse)) / n;
    if (!(denominator > 1e-12 * (Math.abs(msr) + Math.abs(msc) + mse))) return notAvailable("no-variance");
    // Denominator − numerator = k·MSE·(1 − 1/n) + k·MSC/n ≥ 0, so the ratio is at most 1 up to rounding.
    return available(Math.min(1, (msr - mse) / denominator));
  }

  /** Krippendorff's alpha, interval metric (null as `krippendorffAlphaInterval`). */
  krippendorffAlpha(): number | null {
    return this.krippendorffAlphaEstimate().value;
  }

  /** Krippendorff's alpha, or why not: no turn with 2 scores, or no variance among them. */
  krippendorffAlphaEstimate(): Estimate {
    const n = this.pairableValues;
    if (n === 0) return notAvailable("too-few-observations");
    const totalSquares = this.pairableSquares - (this.pairableTotal * this.pairableTotal) / n;
    const expected = 2 * n * totalSquares;
    if (!(expected > 1e-12 * n)) return notAvailable("no-variance");
    return available(1 - ((n - 1) * this.withinDisagreement) / expected);
  }

  /** Quadratic-weighted kappa per judge pair (i < j order), with its number of turns. */
  kappas(): Array<{ n: number; kappa: number | null }> {
    return this.kappaEstimates().map(({ n, kappa }) => ({ n, kappa: kappa.value }));
  }

  /** Kappa per judge pair, or why not: a score off the integer scale, no turn both scored, or no variance. */
  kappaEstimates(): Array<{ n: number; kappa: Estimate }> {
    return this.pairs.map((slot) => {
      if (Number.isNaN(slot.n))
        return { n: 0, kappa: notAvailable(this.scaleMax < this.scaleMin ? "no-scale" : "off-scale") };
      if (slot.n === 0) return { n: 0, kappa: notAvailable("too-few-observations") };
      let expected = 0;
      for (let i = 0; i < slot.first.length; i += 1) {
        for (let j = 0; j < slot.second.length; j += 1)
          expected += ((slot.first[i] ?? 0) * (slot.second[j] ?? 0) * (i - j) ** 2) / slot.n;
      }
      return {
        n: slot.n,
        kappa: expected === 0 ? notAvailable("no-variance") : available(1 - slot.observed / expected),
      };
    });
  }
}
