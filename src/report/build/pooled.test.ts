import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bonferroni,
  cohensD,
  friedmanChiSquare,
  mannWhitneyU,
  spearmanBrown,
  wilcoxonSignedRank,
} from "../../analysis/index.js";
import { bonferroniFamilyOf, buildPooled, pooledRow } from "./pooled.js";
import { summariseTargetTurns } from "./target-part.js";
import { type TargetColumn, TURN_STATE, type TurnTable } from "./turn-table.js";

const TURNS = 3;

/** A target's column with what the pooled section reads: scores, states and the judges' own scores. */
function column(
  targetId: string,
  category: string | null,
  scores: ReadonlyArray<ReadonlyArray<number | null>>,
  judgeScores?: readonly Float64Array[],
): TargetColumn {
  const flat = new Float64Array(scores.length * TURNS).fill(Number.NaN);
  const states = new Uint8Array(scores.length * TURNS);
  for (const [item, turns] of scores.entries()) {
    for (const [turn, score] of turns.entries()) {
      if (score === null) continue;
      flat[item * TURNS + turn] = score;
      states[item * TURNS + turn] = TURN_STATE.scored;
    }
  }
  return {
    targetId,
    category,
    fineTuneOf: null,
    scores: flat,
    states,
    judgeScores: judgeScores ?? [flat, flat],
  } as unknown as TargetColumn;
}

function tableOf(targets: readonly TargetColumn[], items: number, judges = ["j1", "j2"]): TurnTable {
  return {
    turns: TURNS,
    itemIds: Array.from({ length: items }, (_, item) => `item-${item}`),
    turnCounts: new Int32Array(items).fill(TURNS),
    pairIds: Array.from({ length: items }, () => null),
    judges,
    targets,
  } as unknown as TurnTable;
}

// Two targets × four conversations × three turns, chosen so that the pooled medians are the paper's 9.5 → 6.5 → 5.5.
const A = [
  [10, 7, 6],
  [9, 6, 5],
  [10, 8, 6],
  [8, 5, 4],
];
const B = [
  [9, 7, 5],
  [10, 6, 6],
  [9, 5, 4],
  [10, 7, 7],
];
const turnOf = (rows: number[][], turn: number) => rows.map((row) => row[turn] ?? Number.NaN);
const pooledTurn = (turn: number) => [...turnOf(A, turn), ...turnOf(B, turn)];

describe("buildPooled on a hand-computed fixture", () => {
  // Target a's item 3, turn 2: the second judge's verdict was invalid, so the turn score is the first judge's alone.
  const secondJudge = Float64Array.from(A.flat());
  secondJudge[3 * TURNS + 1] = Number.NaN;
  const a = column("a", "medical", A, [Float64Array.from(A.flat()), secondJudge]);
  const b = column("b", "general", B);
  const table = tableOf([a, b], 4);

  it("pools every conversation (item × target): n, median, mean and type-7 quartiles per turn", () => {
    const pooled = buildPooled(table, "all-pairs");
    const all = pooled?.rows[0];
    expect(all?.scope).toBe("all");
    expect(all?.targets).toEqual(["a", "b"]);
    expect(all?.conversations).toBe(8);
    // Turn 1: 8 9 9 9 10 10 10 10; turn 2: 5 5 6 6 7 7 7 8; turn 3: 4 4 5 5 6 6 6 7 (sorted by hand).
    expect(all?.turns).toEqual([
      { turn: 0, n: 8, mean: 75 / 8, median: 9.5, q1: 9, q3: 10 },
      { turn: 1, n: 8, mean: 51 / 8, median: 6.5, q1: 5.75, q3: 7 },
      { turn: 2, n: 8, mean: 43 / 8, median: 5.5, q1: 4.75, q3: 6 },
    ]);
  });

  it("tests the pooled scores: U, Bonferroni over the family, Cohen's d, Wilcoxon paired by conversation, Friedman", () => {
    const all = buildPooled(table, "all-pairs")?.rows[0];
    const tests = all?.turnTests;
    expect(tests?.bonferroni).toEqual({ family: "all-pairs", m: 3 });
    expect(tests?.pairs.map((pair) => [pair.from, pair.to])).toEqual([
      [0, 1],
      [0, 2],
      [1, 2],
    ]);
    const first = tests?.pairs[0];
    // U of turn 1 over turn 2: 64 pairs, all turn-1 scores higher but one tie (8 vs 8) counting a half.
    expect(first?.mannWhitney?.u).toBe(63.5);
    const raw = [
      mannWhitneyU(pooledTurn(0), pooledTurn(1)),
      mannWhitneyU(pooledTurn(0), pooledTurn(2)),
      mannWhitneyU(pooledTurn(1), pooledTurn(2)),
    ];
    const adjusted = bonferroni(raw.map((test) => test?.pValue ?? 1));
    tests?.pairs.forEach((pair, index) => {
      expect(pair.mannWhitney?.pValue).toBeCloseTo(raw[index]?.pValue ?? -1, 12);
      expect(pair.mannWhitney?.pBonferroni).toBeCloseTo(adjusted[index] ?? -1, 12);
      expect(pair.mannWhitney?.pBonferroni).toBeCloseTo(Math.min(1, 3 * (raw[index]?.pValue ?? 1)), 12);
    });
    // Cohen's d of turn 1 − turn 2 by hand: means 9.375 and 6.375, sums of squares 3.875 and 7.875, 14 df.
    expect(first?.cohensD).toBeCloseTo(3 / Math.sqrt((3.875 + 7.875) / 14), 12);
    expect(first?.cohensD).toBeCloseTo(cohensD(pooledTurn(0), pooledTurn(1)) ?? 0, 12);
    const wilcoxon = wilcoxonSignedRank(pooledTurn(0), pooledTurn(1));
    expect(first?.wilcoxon).toEqual({ statistic: wilcoxon?.statistic, pValue: wilcoxon?.pValue, n: 8 });
    const friedman = friedmanChiSquare([0, 1, 2].map((turn) => Float64Array.from(pooledTurn(turn))));
    expect(tests?.friedman).toEqual({ ...friedman, n: 8 });
  });

  it("uses m = turns − 1 with the consecutive family, and tests only the consecutive pairs", () => {
    const tests = buildPooled(table, "consecutive")?.rows[0]?.turnTests;
    expect(tests?.bonferroni).toEqual({ family: "consecutive", m: 2 });
    expect(tests?.pairs.map((pair) => [pair.from, pair.to])).toEqual([
      [0, 1],
      [1, 2],
    ]);
    const p = mannWhitneyU(pooledTurn(1), pooledTurn(2))?.pValue ?? 1;
    expect(tests?.pairs[1]?.mannWhitney?.pBonferroni).toBeCloseTo(Math.min(1, 2 * p), 12);
  });

  it("adds one row per category in name order, and counts single-judge turns", () => {
    const pooled = buildPooled(table, "all-pairs");
    expect(pooled?.rows.map((row) => [row.scope, row.category, row.targets])).toEqual([
      ["all", null, ["a", "b"]],
      ["category", "general", ["b"]],
      ["category", "medical", ["a"]],
    ]);
    expect(pooled?.rows[2]?.turns[0]?.median).toBe(9.5);
    expect(pooled?.rows[1]?.turns[2]?.median).toBe(5.5);
    expect(pooled?.judges).toBe(2);
    expect(pooled?.singleJudgeTurns).toEqual([
      { targetId: "a", turns: 1 },
      { targetId: "b", turns: 0 },
    ]);
    expect(pooled?.rows.map((row) => row.singleJudgeTurns)).toEqual([1, 0, 1]);
  });

  it("keeps an uncategorised target in the all-models row only; no row without multi-turn items", () => {
    const c = column("c", null, B);
    const pooled = buildPooled(tableOf([a, c], 4), "all-pairs");
    expect(pooled?.rows.map((row) => row.category)).toEqual([null, "medical"]);
    expect(pooled?.rows[0]?.targets).toEqual(["a", "c"]);
    expect(buildPooled(tableOf([a], 0), "all-pairs")).toBeUndefined();
  });

  it("leaves unscored turns out of the pooled scores and out of the paired tests", () => {
    const gappy = column("g", null, [
      [10, null, 6],
      [9, 6, 5],
    ]);
    const row = pooledRow(tableOf([gappy], 2), [gappy], "all", null, "all-pairs");
    expect(row.turns.map((turn) => turn.n)).toEqual([2, 1, 2]);
    expect(row.turnTests.pairs[0]?.wilcoxon?.n).toBe(1); // only item 1 is scored at turns 1 and 2
    expect(row.turnTests.friedman?.n).toBe(1);
  });
});

describe("the family a run's config asks for", () => {
  it("reads analysis.bonferroniFamily and falls back to all-pairs", () => {
    expect(bonferroniFamilyOf({ analysis: { bonferroniFamily: "consecutive" } })).toBe("consecutive");
    expect(bonferroniFamilyOf({})).toBe("all-pairs");
    expect(bonferroniFamilyOf({ analysis: { bonferroniFamily: "holm" } })).toBe("all-pairs");
  });
});

describe("protocol: Spearman–Brown", () => {
  it("gives 0.971 from the paper's ICC 0.944 with two judges (the paper reports 0.958)", () => {
    expect(spearmanBrown(0.944, 2)).toBeCloseTo((2 * 0.944) / (1 + 0.944), 12);
    expect(Number(spearmanBrown(0.944, 2)?.toFixed(3))).toBe(0.971);
    expect(Number(spearmanBrown(0.944, 2)?.toFixed(3))).not.toBe(0.958);
  });
});

describe("pooling properties", () => {
  const score = fc.option(fc.integer({ min: 0, max: 10 }), { nil: null });
  const conversations = fc.array(fc.tuple(score, score, score), { minLength: 1, maxLength: 12 });

  it("pooling a single target gives that target's own turn statistics and tests", () => {
    fc.assert(
      fc.property(conversations, fc.constantFrom("all-pairs" as const, "consecutive" as const), (rows, family) => {
        const target = column("t", "x", rows);
        const table = tableOf([target], rows.length);
        const own = summariseTargetTurns(table, target, 2, family);
        const row = pooledRow(table, [target], "all", null, family);
        expect(row.turnTests).toEqual(own.turnTests);
        expect(row.turns.map((turn) => [turn.n, turn.mean, turn.median])).toEqual(
          own.turns.map((turn) => [turn.scored, turn.mean, turn.median]),
        );
      }),
      { seed: 1624, numRuns: 150 },
    );
  });

  it("the consecutive family uses m = turns − 1 when every turn has a score", () => {
    const full = fc.array(
      fc.tuple(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 10 })),
      {
        minLength: 1,
        maxLength: 10,
      },
    );
    fc.assert(
      fc.property(full, full, (first, second) => {
        const table = tableOf(
          [column("a", "m", first), column("b", null, second)],
          Math.max(first.length, second.length),
        );
        const padded = tableOf(
          [
            column("a", "m", [
              ...first,
              ...Array.from({ length: table.itemIds.length - first.length }, () => [null, null, null]),
            ]),
            column("b", null, [
              ...second,
              ...Array.from({ length: table.itemIds.length - second.length }, () => [null, null, null]),
            ]),
          ],
          table.itemIds.length,
        );
        for (const row of buildPooled(padded, "consecutive")?.rows ?? []) {
          expect(row.turnTests.bonferroni).toEqual({ family: "consecutive", m: TURNS - 1 });
          expect(row.turnTests.pairs).toHaveLength(TURNS - 1);
        }
        for (const row of buildPooled(padded, "all-pairs")?.rows ?? [])
          expect(row.turnTests.bonferroni.m).toBe((TURNS * (TURNS - 1)) / 2);
      }),
      { seed: 16, numRuns: 100 },
    );
  });
});
