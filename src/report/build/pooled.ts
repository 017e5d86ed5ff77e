import { Histogram } from "../../analysis/index.js";
import {
  BONFERRONI_FAMILIES,
  type BonferroniFamily,
  DEFAULT_BONFERRONI_FAMILY,
  type PooledResults,
  type PooledRow,
  type PooledTurn,
} from "../model/pooled-model.js";
import { type TargetColumn, TURN_STATE, type TurnTable } from "./turn-table.js";
import { turnTests } from "./turn-tests.js";

/** The family a run's frozen config asks for (`analysis.bonferroniFamily`), else the default (all-pairs). */
export function bonferroniFamilyOf(config: unknown): BonferroniFamily {
  const family = (config as { analysis?: { bonferroniFamily?: unknown } } | null)?.analysis?.bonferroniFamily;
  return (BONFERRONI_FAMILIES as readonly unknown[]).includes(family)
    ? (family as BonferroniFamily)
    : DEFAULT_BONFERRONI_FAMILY;
}

/**
 * The pooled section (decision 0024): turn scores of every conversation (item × target) of all targets, then of each
 * config `category`, with the per-target turn tests (turn-tests.ts) run on the pooled scores. Reads the report's turn
 * table (no second pass over the store); one row's arrays at a time, O(n log n) in its scored turns.
 */
export function buildPooled(table: TurnTable, family: BonferroniFamily): PooledResults | undefined {
  if (table.itemIds.length === 0 || table.targets.length === 0) return undefined;
  const categories = [
    ...new Set(table.targets.flatMap((target) => (target.category === null ? [] : [target.category]))),
  ].sort((left, right) => left.localeCompare(right, "en"));
  // Counted once per target: the rows sum them (a pass over every cell of every judge, too slow to repeat per row).
  const single = new Map(table.targets.map((target) => [target.targetId, singleJudgeTurnsOf(table, target)]));
  const rows: PooledRow[] = [
    pooledRow(table, table.targets, "all", null, family, single),
    ...categories.map((category) =>
      pooledRow(
        table,
        table.targets.filter((target) => target.category === category),
        "category",
        category,
        family,
        single,
      ),
    ),
  ];
  return {
    rows,
    judges: table.judges.length,
    singleJudgeTurns: table.targets.map((target) => ({
      targetId: target.targetId,
      turns: single.get(target.targetId) ?? 0,
    })),
  };
}

/** One row: its targets' scored turns by position and by conversation (target-major, item, turn). */
export function pooledRow(
  table: TurnTable,
  targets: readonly TargetColumn[],
  scope: PooledRow["scope"],
  category: string | null,
  family: BonferroniFamily,
  single: ReadonlyMap<string, number> = new Map(
    targets.map((target) => [target.targetId, singleJudgeTurnsOf(table, target)]),
  ),
): PooledRow {
  const { turns } = table;
  const items = table.itemIds.length;
  const byTurn = Array.from({ length: turns }, () => new Float64Array(items * targets.length));
  const counts = new Int32Array(turns);
  const byConversation = new Float64Array(items * targets.length * turns).fill(Number.NaN);
  targets.forEach((target, targetIndex) => {
    for (let item = 0; item < items; item += 1) {
      const count = Math.min(table.turnCounts[item] ?? 0, turns);
      for (let turn = 0; turn < count; turn += 1) {
        const cell = item * turns + turn;
        if (target.states[cell] !== TURN_STATE.scored) continue;
        const score = target.scores[cell] ?? Number.NaN;
        const slot = byTurn[turn];
        if (slot !== undefined) slot[counts[turn] ?? 0] = score;
        counts[turn] = (counts[turn] ?? 0) + 1;
        byConversation[(targetIndex * items + item) * turns + turn] = score;
      }
    }
  });
  const scoresByTurn = byTurn.map((scores, turn) => scores.subarray(0, counts[turn] ?? 0));
  return {
    scope,
    category,
    targets: targets.map((target) => target.targetId),
    conversations: items * targets.length,
    turns: scoresByTurn.map((scores, turn) => pooledTurn(turn, scores)),
    turnTests: turnTests(scoresByTurn, byConversation, family),
    singleJudgeTurns: targets.reduce((sum, target) => sum + (single.get(target.targetId) ?? 0), 0),
  };
}

function pooledTurn(turn: number, scores: Float64Array): PooledTurn {
  const histogram = Histogram.of(scores);
  return {
    turn,
    n: scores.length,
    mean: histogram.mean(),
    median: histogram.quantile(0.5),
    q1: histogram.quantile(0.25),
    q3: histogram.quantile(0.75),
  };
}

/**
 * Scored turns whose score is one judge's alone while the panel has two or more judges: the other verdicts were
 * unscored or failed, and the turn score (the mean of the valid scores, analysis/safety-metrics.ts) is that one
 * judge's. A protocol choice the papers leave open (decision 0024): the report counts and shows them.
 */
export function singleJudgeTurnsOf(
  table: Pick<TurnTable, "judges" | "itemIds" | "turns">,
  target: TargetColumn,
): number {
  if (table.judges.length < 2) return 0;
  const cells = table.itemIds.length * table.turns;
  let single = 0;
  for (let cell = 0; cell < cells; cell += 1) {
    if (target.states[cell] !== TURN_STATE.scored) continue;
    let valid = 0;
    for (const scores of target.judgeScores) if (!Number.isNaN(scores[cell] ?? Number.NaN)) valid += 1;
    if (valid === 1) single += 1;
  }
  return single;
}
