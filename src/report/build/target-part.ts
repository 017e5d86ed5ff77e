import { conversationOutcome, Histogram, SafetyPassCounter, turnPasses } from "../../analysis/index.js";
import type { ConversationGroup } from "../model/multi-turn-model.js";
import type { BonferroniFamily } from "../model/pooled-model.js";
import type { TargetSummary, TurnSummary } from "../model/report-model.js";
import { compareLanguagesOf, languagePairsOf, type TargetLanguageComparison } from "./build-comparisons.js";
import { type ComputedGroup, type GroupContext, summariseGroup } from "./build-groups.js";
import {
  type ItemDimension,
  type TargetColumn,
  type TargetLoadOptions,
  TURN_STATE,
  type TurnTable,
  targetRows,
} from "./turn-table.js";
import { turnTests } from "./turn-tests.js";

/**
 * Everything a report computes from one target's column alone: its turn summary and decline tests, its "all"
 * group and its groups by each item dimension. Targets are independent, so report threads compute them in
 * parallel (see target-parts.ts); the same function runs in the main thread for small runs.
 */
export interface TargetPart {
  readonly summary: Omit<TargetSummary, "judgments">;
  readonly overall: ComputedGroup;
  /** Per dimension asked for, its groups in label order. */
  readonly groups: ReadonlyArray<{ readonly dimension: ItemDimension; readonly groups: readonly ConversationGroup[] }>;
  /** Its Japanese − English comparison over pairId. */
  readonly crossLingual: TargetLanguageComparison;
}

export interface TargetPartOptions extends TargetLoadOptions {
  readonly passThreshold: number;
  readonly bootstrap: GroupContext["bootstrap"];
  readonly dimensions: readonly ItemDimension[];
  /** The turn tests' Bonferroni family (decision 0024; default all-pairs). */
  readonly bonferroniFamily?: BonferroniFamily;
}

export function computeTargetPart(table: TurnTable, target: TargetColumn, options: TargetPartOptions): TargetPart {
  const context: GroupContext = { table, passThreshold: options.passThreshold, bootstrap: options.bootstrap };
  // Its own conversations: with repeated sampling, the rows of its epochs (decision 0030).
  const everyItem = targetRows(table, target);
  const overall = summariseGroup(context, target.targetId, "all", "all", [{ target, items: everyItem }]);
  const groups = options.dimensions.map((dimension) => ({
    dimension,
    groups: [...itemsOf(table, dimension, everyItem)].map(
      ([label, items]) => summariseGroup(context, target.targetId, dimension, label, [{ target, items }]).summary,
    ),
  }));
  const crossLingual = compareLanguagesOf(target, languagePairsOf(table), options.bootstrap);
  return {
    summary: summariseTargetTurns(table, target, options.passThreshold, options.bonferroniFamily),
    overall,
    groups,
    crossLingual,
  };
}

/** The items (rows) of each label of a dimension, in label order; only `among` when given (a target's rows). */
export function itemsOf(
  table: Pick<TurnTable, "dimensions">,
  dimension: ItemDimension,
  among?: Int32Array,
): Map<string, Int32Array> {
  const column = table.dimensions[dimension];
  const lists = column.labels.map(() => [] as number[]);
  const rows = among ?? Int32Array.from(column.codes, (_, row) => row);
  for (const item of rows) lists[column.codes[item] ?? -1]?.push(item);
  return new Map(column.labels.map((label, index) => [label, Int32Array.from(lists[index] ?? [])]));
}

/** Turn-by-turn counts, means, medians, the Safety Pass Rate and the decline tests of one target. */
export function summariseTargetTurns(
  table: TurnTable,
  target: TargetColumn,
  threshold: number,
  family?: BonferroniFamily,
): Omit<TargetSummary, "judgments"> {
  const { turns: maxTurns } = table;
  const perTurn = Array.from({ length: maxTurns }, () => ({
    scores: new Float64Array(table.itemIds.length),
    scored: 0,
    unscored: 0,
    errors: 0,
    notReached: 0,
  }));
  const byConversation = new Float64Array(table.itemIds.length * maxTurns).fill(Number.NaN);
  const passCounter = new SafetyPassCounter();
  // Its conversations: every row, or with repeated sampling the rows of its epochs (decision 0030).
  const rows = targetRows(table, target);
  for (const item of rows) {
    const count = Math.min(table.turnCounts[item] ?? 0, maxTurns);
    let scored = 0;
    let anyFailed = false;
    for (let turn = 0; turn < count; turn += 1) {
      const slot = perTurn[turn];
      const state = target.states[item * maxTurns + turn];
      if (slot === undefined) continue;
      if (state === TURN_STATE.scored) {
        const score = target.scores[item * maxTurns + turn] ?? Number.NaN;
        slot.scores[slot.scored] = score;
        slot.scored += 1;
        byConversation[item * maxTurns + turn] = score;
        scored += 1;
        if (!turnPasses(score, threshold)) anyFailed = true;
      } else if (state === TURN_STATE.error) slot.errors += 1;
      else if (state === TURN_STATE.unscored) slot.unscored += 1;
      else slot.notReached += 1;
    }
    // The Safety Pass Rate's decided-conversation rule (analysis/safety-metrics.ts).
    passCounter.add(conversationOutcome(count, scored, anyFailed));
  }
  const scoresByTurn = perTurn.map((slot) => slot.scores.subarray(0, slot.scored));
  const turns = perTurn.map((slot, turn): TurnSummary => {
    const histogram = Histogram.of(scoresByTurn[turn] ?? []);
    return {
      turn,
      scored: slot.scored,
      mean: histogram.mean(),
      median: histogram.quantile(0.5),
      unscored: slot.unscored,
      errors: slot.errors,
      notReached: slot.notReached,
    };
  });
  return {
    targetId: target.targetId,
    conversations: rows.length,
    completeConversations: passCounter.decided,
    passedConversations: passCounter.passed,
    safetyPassRate: passCounter.rate,
    turns,
    unscoredTurns: turns.reduce((sum, turn) => sum + turn.unscored, 0),
    errorTurns: turns.reduce((sum, turn) => sum + turn.errors, 0),
    turnTests: turnTests(scoresByTurn, byConversation, family),
  };
}
