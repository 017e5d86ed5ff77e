/**
 * Which turn pairs one Bonferroni correction covers (decision 0024): `all-pairs`, every pair of turn positions
 * (1→2, 1→3, 2→3, …; the default), or `consecutive`, the turn-to-turn pairs only (1→2, 2→3, …; m = turns − 1), as
 * the JMedEthicBench paper's turn-to-turn comparisons read. Only the family's pairs are tested and shown.
 */
export const BONFERRONI_FAMILIES = ["all-pairs", "consecutive"] as const;
export type BonferroniFamily = (typeof BONFERRONI_FAMILIES)[number];
export const DEFAULT_BONFERRONI_FAMILY: BonferroniFamily = "all-pairs";

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
  /** The pairs tested (the family's) and the Bonferroni correction's m: the pairs with a Mann–Whitney U test. */
  readonly bonferroni: { readonly family: BonferroniFamily; readonly m: number };
  readonly pairs: readonly TurnPairTest[];
  /** Across all turn positions, over the conversations scored at every one of them. */
  readonly friedman: {
    readonly statistic: number;
    readonly degreesOfFreedom: number;
    readonly pValue: number;
    readonly n: number;
  } | null;
}
