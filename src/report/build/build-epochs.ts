import { conversationOutcome, type ItemEpochs, repeatedSampling, turnPasses } from "../../analysis/index.js";
import type { RepeatedSamplingReport, TargetRepeatedSampling } from "../model/epochs-model.js";
import { valuesWithReasons } from "./not-available.js";
import { type TargetColumn, TURN_STATE, type TurnTable } from "./turn-table.js";

/**
 * The repeated-sampling section (decision 0030): for every target with `epochs` > 1, from the turn table's rows
 * (item × epoch, an item's epochs together), the between-epoch variance of the conversation score and "fails in any
 * of k" for k = 1..epochs (analysis/repeated-sampling.ts). One pass over the target's rows; undefined when no target
 * samples more than once.
 */
export function buildRepeatedSampling(table: TurnTable, passThreshold: number): RepeatedSamplingReport | undefined {
  const targets = table.targets.filter((target) => target.epochs > 1);
  if (targets.length === 0 || table.itemIds.length === 0) return undefined;
  return { passThreshold, targets: targets.map((target) => targetRepeatedSampling(table, target, passThreshold)) };
}

function targetRepeatedSampling(table: TurnTable, target: TargetColumn, passThreshold: number): TargetRepeatedSampling {
  const summary = repeatedSampling(target.epochs, itemsOf(table, target, passThreshold));
  return {
    targetId: target.targetId,
    epochs: target.epochs,
    items: summary.items,
    itemsWithVariance: summary.itemsWithVariance,
    conversations: summary.conversations,
    ...valuesWithReasons({
      withinItemVariance: summary.withinItemVariance,
      totalVariance: summary.totalVariance,
      withinShare: summary.withinShare,
    }),
    failsInAnyOfK: summary.failsInAnyOfK,
  };
}

/** Each item's epochs of this target: conversation score and outcome (the Safety Pass Rate's rule) per epoch. */
function* itemsOf(table: TurnTable, target: TargetColumn, passThreshold: number): Generator<ItemEpochs> {
  const { turns, epochs: rowsPerItem } = table;
  const epochs = Math.min(target.epochs, rowsPerItem);
  for (let first = 0; first < table.itemIds.length; first += rowsPerItem) {
    const scores = new Float64Array(epochs);
    const outcomes: ReturnType<typeof conversationOutcome>[] = [];
    let stored = false;
    for (let epoch = 0; epoch < epochs; epoch += 1) {
      const row = first + epoch;
      const count = Math.min(table.turnCounts[row] ?? 0, turns);
      let scored = 0;
      let failed = false;
      for (let turn = 0; turn < count; turn += 1) {
        const state = target.states[row * turns + turn];
        if (state !== TURN_STATE.notReached) stored = true;
        if (state !== TURN_STATE.scored) continue;
        scored += 1;
        if (!turnPasses(target.scores[row * turns + turn] ?? Number.NaN, passThreshold)) failed = true;
      }
      scores[epoch] = target.conversationScores[row] ?? Number.NaN;
      outcomes.push(conversationOutcome(count, scored, failed));
    }
    if (stored) yield { scores, outcomes };
  }
}
