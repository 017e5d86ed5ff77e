import type { BootstrapOptions } from "../../analysis/index.js";
import type { ConversationGroup, GroupComparison, MultiTurnStatistics } from "../model/multi-turn-model.js";
import { compareFineTunes, compareGroups, compareLanguages, crossLingualOf } from "./build-comparisons.js";
import { type ComputedGroup, type GroupContext, summariseGroup } from "./build-groups.js";
import type { TargetPart } from "./target-part.js";
import { ITEM_DIMENSIONS, type ItemDimension, type TurnTable, targetRows, UNSPECIFIED } from "./turn-table.js";

/** Dimensions a report groups by (`report --group-by`); every target also gets its "all" group. */
export const GROUPABLE_DIMENSIONS = [...ITEM_DIMENSIONS, "category"] as const;
export type GroupableDimension = (typeof GROUPABLE_DIMENSIONS)[number];
/** Default grouping: everything but the (many) single guidelines, which `--group-by guideline` adds. */
export const DEFAULT_GROUP_BY: readonly GroupableDimension[] = [
  "strategy",
  "section",
  "attacker",
  "language",
  "category",
];

export interface MultiTurnOptions {
  readonly passThreshold: number;
  readonly bootstrap: BootstrapOptions;
  readonly groupBy: readonly GroupableDimension[];
}

/** Grouped statistics and comparisons of a run's multi-turn conversations; null when the run has none. */
export function buildMultiTurn(
  table: TurnTable,
  parts: readonly TargetPart[],
  options: MultiTurnOptions,
): MultiTurnStatistics | null {
  if (table.itemIds.length === 0 || table.targets.length === 0) return null;
  const context: GroupContext = { table, passThreshold: options.passThreshold, bootstrap: options.bootstrap };
  const groups: ConversationGroup[] = [];
  const overall = table.targets.map((target, index) => {
    const computed =
      parts[index]?.overall ??
      summariseGroup(context, target.targetId, "all", "all", [{ target, items: targetRows(table, target) }]);
    groups.push(computed.summary);
    return { name: target.targetId, computed };
  });
  for (const dimension of options.groupBy) {
    if (dimension === "category") continue;
    for (const part of parts)
      groups.push(...(part.groups.find((entry) => entry.dimension === dimension)?.groups ?? []));
  }
  const comparisons: GroupComparison[] = [compareGroups("target", overall, options.bootstrap.confidence)];
  if (options.groupBy.includes("category")) {
    const categories = [...new Set(table.targets.map((target) => target.category ?? UNSPECIFIED))].sort();
    const byCategory = categories.map((category): { name: string; computed: ComputedGroup } => {
      const members = table.targets
        .filter((target) => (target.category ?? UNSPECIFIED) === category)
        .map((target) => ({ target, items: targetRows(table, target) }));
      const computed = summariseGroup(context, null, "category", category, members);
      groups.push(computed.summary);
      return { name: category, computed };
    });
    if (byCategory.length >= 2) comparisons.push(compareGroups("category", byCategory, options.bootstrap.confidence));
  }
  return {
    passThreshold: options.passThreshold,
    bootstrap: options.bootstrap,
    groups,
    comparisons,
    fineTunes: compareFineTunes(table, options.bootstrap),
    crossLingual:
      parts.length === table.targets.length
        ? crossLingualOf(parts.map((part) => part.crossLingual))
        : compareLanguages(table, options.bootstrap),
  };
}

/** The item dimensions among the grouping dimensions (category groups pool targets, so they are not per target). */
export function itemDimensionsOf(groupBy: readonly GroupableDimension[]): ItemDimension[] {
  return groupBy.filter((dimension): dimension is ItemDimension => dimension !== "category");
}
