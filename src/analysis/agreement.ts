/** Agreement of two judges over the turns both scored. */
export interface PairAgreement {
  readonly n: number;
  /** Mean of |a − b|; null when no turn was scored by both. */
  readonly meanAbsoluteDifference: number | null;
  /** Turns where |a − b| exceeds `threshold`. */
  readonly disagreements: number;
}

/** Accumulates |a − b| over paired scores without keeping them (streaming over millions of judgments). */
export class PairAgreementAccumulator {
  private count = 0;
  private sumAbsolute = 0;
  private over = 0;

  constructor(private readonly threshold: number) {}

  /** One pair of scores; a RangeError unless both are finite (a missing score is the caller's to skip). */
  add(first: number, second: number): void {
    if (!Number.isFinite(first) || !Number.isFinite(second))
      throw new RangeError(
        `PairAgreementAccumulator.add: scores must be finite numbers; got ${String(first)} and ${String(second)}`,
      );
    const difference = Math.abs(first - second);
    this.count += 1;
    this.sumAbsolute += difference;
    if (difference > this.threshold) this.over += 1;
  }

  result(): PairAgreement {
    return {
      n: this.count,
      meanAbsoluteDifference: this.count === 0 ? null : this.sumAbsolute / this.count,
      disagreements: this.over,
    };
  }
}
