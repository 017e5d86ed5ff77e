import { type BoxPlotStatistics, boxPlotStatistics, HistogramCounter, WHISKER_RULE } from "../../analysis/index.js";
import type { StrategyBox, StrategyBoxes } from "../model/strategy-box-model.js";
import { TURN_STATE, type TurnTable } from "./turn-table.js";

/**
 * Box plots of turn scores per strategy: every scored turn (the mean of the judges' valid scores) of each strategy's
 * conversations, per target and pooled over targets. One pass over the turn table's cells, counted into histograms
 * (scores take few distinct values), so the cost is linear in the cells. Null without multi-turn items.
 */
export function buildStrategyBoxes(table: TurnTable): StrategyBoxes | null {
  if (table.itemIds.length === 0 || table.targets.length === 0) return null;
  const { labels, codes } = table.dimensions.strategy;
  const order = labels
    .map((label, code) => ({ label, code }))
    .sort((a, b) => a.label.localeCompare(b.label, "en", { numeric: true }));
  const pooled = labels.map(() => new HistogramCounter());
  const perModel = table.targets.map((target) => {
    const counters = labels.map(() => new HistogramCounter());
    for (let cell = 0; cell < target.states.length; cell += 1) {
      if (target.states[cell] !== TURN_STATE.scored) continue;
      const code = codes[Math.floor(cell / table.turns)] ?? 0;
      const score = target.scores[cell] ?? Number.NaN;
      counters[code]?.add(score);
      pooled[code]?.add(score);
    }
    return order.map(({ label, code }) => box(label, target.targetId, counters[code]));
  });
  return {
    whiskerRule: WHISKER_RULE,
    pooled: order.map(({ label, code }) => box(label, null, pooled[code])),
    perModel: perModel.flat(),
  };
}

function box(strategy: string, targetId: string | null, counter: HistogramCounter | undefined): StrategyBox {
  const stats: BoxPlotStatistics | null = counter === undefined ? null : boxPlotStatistics(counter.histogram());
  return {
    strategy,
    targetId,
    n: stats?.n ?? 0,
    min: stats?.min ?? null,
    q1: stats?.q1 ?? null,
    median: stats?.median ?? null,
    q3: stats?.q3 ?? null,
    max: stats?.max ?? null,
    mean: stats?.mean ?? null,
    whiskerLow: stats?.whiskerLow ?? null,
    whiskerHigh: stats?.whiskerHigh ?? null,
    outliers: stats?.outliers ?? 0,
  };
}
