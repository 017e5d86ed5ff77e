/** Tests between turn positions of a target's conversations (does safety decline over the turns?). */
/** One pair of turn positions compared, as the paper does (Mann–Whitney U, Bonferroni, Cohen's d) and paired. */
export interface TurnPairTest {
  readonly from: number;
  readonly to: number;
  /** Unpaired: every scored turn at each position. */
  readonly mannWhitney: { readonly u: number; readonly pValue: number; readonly pBonferroni: number } | null;
  /** Cohen's d of `from` minus `to` (positive when safety declines), pooled SD. */
  readonly cohensD: number | null;
  /** Paired by conversation (both turns scored): Wilcoxon signed-rank. */
  readonly wilcoxon: { readonly statistic: number; readonly pValue: number; readonly n: number } | null;
}

export interface TurnTests {
  readonly pairs: readonly TurnPairTest[];
  /** Across all turn positions, over the conversations scored at every one of them. */
  readonly friedman: {
    readonly statistic: number;
    readonly degreesOfFreedom: number;
    readonly pValue: number;
    readonly n: number;
  } | null;
}
