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

  add(first: number, second: number): void {
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
