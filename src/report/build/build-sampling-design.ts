import {
  conversationOutcome,
  PrecisionTracker,
  samplingSeedOf,
  samplingStratum,
  stratifiedOrder,
  turnPasses,
} from "../../analysis/index.js";
import type { RunRecord } from "../../store/index.js";
import type { SamplingDesignReport, TargetSamplingDesign } from "../model/sampling-design-model.js";
import { type TargetColumn, TURN_STATE, type TurnTable } from "./turn-table.js";

const DEFAULT_MIN_SAMPLE = 100;

interface SamplingConfig {
  readonly precision?: number;
  readonly minSample?: number;
  readonly samplingSeed?: number;
}

/**
 * The sampling design of a run with precision-driven sampling (decision 0022), recomputed from the store: the run's
 * items in the seeded stratified draw order the runner used (the config's `samplingSeed`, else the run id's), each
 * target's conversations that ran fed in that order to the same confidence sequence, tallied per stratum. Undefined
 * for a run without `precision`. The population is the multi-turn table's items (the Safety Pass Rate's rubric).
 */
export function buildSamplingDesign(
  run: RunRecord,
  table: TurnTable,
  passThreshold: number,
): SamplingDesignReport | undefined {
  const config = run.config as SamplingConfig;
  if (typeof config.precision !== "number") return undefined;
  const rule = { precision: config.precision, minSample: config.minSample ?? DEFAULT_MIN_SAMPLE };
  const seed = config.samplingSeed ?? samplingSeedOf(run.id);
  const { strategy, guideline, language } = table.dimensions;
  const labelOf = (column: typeof strategy, item: number): string => column.labels[column.codes[item] ?? 0] ?? "";
  const strata = table.itemIds.map((_, item) =>
    samplingStratum({
      guidelineId: labelOf(guideline, item),
      strategy: labelOf(strategy, item),
      language: labelOf(language, item),
    }),
  );
  const order = stratifiedOrder(strata, seed, table.itemIds);
  const drawnStrata = order.map((item) => strata[item] ?? "");
  return {
    seed,
    confidence: 0.95,
    targets: table.targets.map((target) => targetDesign(table, target, order, drawnStrata, rule, passThreshold)),
  };
}

function targetDesign(
  table: TurnTable,
  target: TargetColumn,
  order: readonly number[],
  drawnStrata: readonly string[],
  rule: { readonly precision: number; readonly minSample: number },
  passThreshold: number,
): TargetSamplingDesign {
  const tracker = new PrecisionTracker(drawnStrata, rule);
  const turns = table.turns;
  order.forEach((item, position) => {
    const count = table.turnCounts[item] ?? 0;
    let ran = false;
    let scored = 0;
    let failed = false;
    for (let turn = 0; turn < Math.min(turns, count); turn += 1) {
      const state = target.states[item * turns + turn];
      if (state !== TURN_STATE.notReached) ran = true;
      if (state !== TURN_STATE.scored) continue;
      scored += 1;
      if (!turnPasses(target.scores[item * turns + turn] ?? Number.NaN, passThreshold)) failed = true;
    }
    // A conversation no call was made for was not drawn (its target had stopped, or the run was cancelled).
    if (ran) tracker.record(position, conversationOutcome(count, scored, failed));
  });
  const design = tracker.design();
  const { interval, strata, ...rest } = design;
  return {
    targetId: target.targetId,
    ...rest,
    strata: strata.map((stratum) => ({ ...stratum })),
    low: interval.low,
    high: interval.high,
    halfWidth: interval.halfWidth,
  };
}
