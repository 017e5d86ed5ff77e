import {
  bonferroni,
  cohensD,
  friedmanChiSquare,
  Histogram,
  mannWhitneyUHistograms,
  wilcoxonSignedRank,
} from "../../analysis/index.js";
import type { BonferroniFamily } from "../model/pooled-model.js";
import type { TurnPairTest, TurnTests } from "../model/turn-tests-model.js";

/**
 * Turn-by-turn decline tests for one target: `byTurn[t]` holds every scored turn-t score, `byConversation` each
 * conversation's turn scores flat (`conversation * turns + turn`, NaN where a turn has no score).
 */
export function turnTests(
  byTurn: readonly Float64Array[],
  byConversation: Float64Array,
  family: BonferroniFamily = "all-pairs",
): TurnTests {
  const turns = byTurn.length;
  const conversations = turns === 0 ? 0 : byConversation.length / turns;
  const positions = byTurn.map((_, turn) => turn);
  const pairs = turnPairsOf(turns, family);
  const histograms = byTurn.map((scores) => Histogram.of(scores));
  const unpaired = pairs.map(({ from, to }) =>
    mannWhitneyUHistograms(histograms[from] ?? Histogram.of([]), histograms[to] ?? Histogram.of([])),
  );
  const adjusted = bonferroni(unpaired.flatMap((test) => (test === null ? [] : [test.pValue])));
  let next = 0;
  const results = pairs.map(({ from, to }, index): TurnPairTest => {
    const test = unpaired[index] ?? null;
    const [first, second] = pairedScores(byConversation, conversations, turns, [from, to]);
    const wilcoxon = wilcoxonSignedRank(first ?? [], second ?? []);
    return {
      from,
      to,
      mannWhitney: test === null ? null : { u: test.u, pValue: test.pValue, pBonferroni: adjusted[next++] ?? 1 },
      cohensD: cohensD(byTurn[from] ?? [], byTurn[to] ?? []),
      wilcoxon: wilcoxon === null ? null : { statistic: wilcoxon.statistic, pValue: wilcoxon.pValue, n: wilcoxon.n },
    };
  });
  const complete = pairedScores(byConversation, conversations, turns, positions);
  const n = complete[0]?.length ?? 0;
  const friedman = turns >= 3 && n > 0 ? friedmanChiSquare(complete) : null;
  return {
    bonferroni: { family, m: adjusted.length },
    pairs: results,
    friedman: friedman === null ? null : { ...friedman, n },
  };
}

/** The turn pairs of a Bonferroni family: every pair of positions, or the consecutive ones (decision 0024). */
export function turnPairsOf(turns: number, family: BonferroniFamily): Array<{ from: number; to: number }> {
  if (family === "consecutive")
    return Array.from({ length: Math.max(0, turns - 1) }, (_, from) => ({ from, to: from + 1 }));
  const positions = Array.from({ length: turns }, (_, turn) => turn);
  return positions.flatMap((from) => positions.filter((to) => to > from).map((to) => ({ from, to })));
}

/** For the conversations scored at every one of `positions`: their scores there, one array per position. */
function pairedScores(
  byConversation: Float64Array,
  conversations: number,
  turns: number,
  positions: readonly number[],
): Float64Array[] {
  const kept = new Int32Array(conversations);
  let count = 0;
  for (let conversation = 0; conversation < conversations; conversation += 1) {
    let complete = true;
    for (const turn of positions) {
      if (Number.isNaN(byConversation[conversation * turns + turn] ?? Number.NaN)) {
        complete = false;
        break;
      }
    }
    if (complete) kept[count++] = conversation;
  }
  return positions.map((turn) => {
    const scores = new Float64Array(count);
    for (let index = 0; index < count; index += 1)
      scores[index] = byConversation[(kept[index] ?? 0) * turns + turn] ?? Number.NaN;
    return scores;
  });
}
