import { bonferroni, cohensD, friedmanChiSquare, Histogram, mannWhitneyUHistograms, wilcoxonSignedRank } from "../analysis/index.js";

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
  readonly friedman: { readonly statistic: number; readonly degreesOfFreedom: number; readonly pValue: number; readonly n: number } | null;
}

/**
 * Turn-by-turn decline tests for one target: `byTurn[t]` holds every scored turn-t score, `byConversation` each
 * conversation's turn scores (undefined where a turn has no score).
 */
export function turnTests(byTurn: readonly (readonly number[])[], byConversation: ReadonlyArray<ReadonlyArray<number | undefined>>): TurnTests {
  const positions = byTurn.map((_, turn) => turn);
  const pairs = positions.flatMap((from) => positions.filter((to) => to > from).map((to) => ({ from, to })));
  const histograms = byTurn.map((scores) => Histogram.of(scores));
  const unpaired = pairs.map(({ from, to }) => mannWhitneyUHistograms(histograms[from] ?? Histogram.of([]), histograms[to] ?? Histogram.of([])));
  const adjusted = bonferroni(unpaired.flatMap((test) => (test === null ? [] : [test.pValue])));
  let next = 0;
  const results = pairs.map(({ from, to }, index): TurnPairTest => {
    const test = unpaired[index] ?? null;
    const paired = byConversation.flatMap((scores) => {
      const first = scores[from];
      const second = scores[to];
      return first === undefined || second === undefined ? [] : [[first, second] as const];
    });
    const wilcoxon = wilcoxonSignedRank(paired.map(([first]) => first), paired.map(([, second]) => second));
    return {
      from, to,
      mannWhitney: test === null ? null : { u: test.u, pValue: test.pValue, pBonferroni: adjusted[next++] ?? 1 },
      cohensD: cohensD(byTurn[from] ?? [], byTurn[to] ?? []),
      wilcoxon: wilcoxon === null ? null : { statistic: wilcoxon.statistic, pValue: wilcoxon.pValue, n: wilcoxon.n },
    };
  });
  const complete = byConversation.filter((scores) => scores.length === byTurn.length && scores.every((score) => score !== undefined)) as number[][];
  const friedman = byTurn.length >= 3 && complete.length > 0
    ? friedmanChiSquare(positions.map((turn) => complete.map((scores) => scores[turn] ?? Number.NaN)))
    : null;
  return { pairs: results, friedman: friedman === null ? null : { ...friedman, n: complete.length } };
}
