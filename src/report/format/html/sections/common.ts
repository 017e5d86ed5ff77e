/** What every section renderer gets, and helpers they share. */

import { cellAnchor } from "../../../model/anchors.js";
import type { ReportExamples } from "../../../model/example-types.js";
import type { ConversationGroup, GroupDimension } from "../../../model/multi-turn-model.js";
import type { RunReport } from "../../../model/report-model.js";
import { TRADEOFF_RUBRICS } from "../../../model/tradeoff-model.js";
import { anchorId } from "../escape.js";
import { type Cell, counts, interval, num, pct, table } from "../format.js";
import type { Messages } from "../messages.js";
import { type Html, h } from "../template.js";

export const SAFETY_RUBRIC = TRADEOFF_RUBRICS.safety;

export interface SectionContext {
  readonly report: RunReport;
  readonly examples: ReportExamples;
  readonly m: Messages;
}

/** A message in the report's language (text: the template tag escapes it where it is placed). */
export function label(
  context: SectionContext,
  key: Parameters<Messages["t"]>[0],
  values?: Readonly<Record<string, string | number>>,
): string {
  return context.m.t(key, values);
}

export function noData(context: SectionContext, key: "noData" | "notComputed" = "noData"): Html {
  return h`<p class="note no-data">${label(context, key)}</p>`;
}

export function targetIds(report: RunReport): string[] {
  return report.targets.map((target) => target.targetId);
}

/** The multi-turn groups of one dimension ([] when the grouped statistics are absent). */
export function groupsOf(report: RunReport, dimension: GroupDimension): ConversationGroup[] {
  return (report.multiTurn?.groups ?? []).filter((group) => group.dimension === dimension);
}

/** Group names in natural order. */
export function groupNames(groups: readonly ConversationGroup[]): string[] {
  return [...new Set(groups.map((group) => group.group))].sort((left, right) =>
    left.localeCompare(right, "en", { numeric: true }),
  );
}

export function targetExamplesAnchor(targetId: string): string {
  return anchorId("examples", targetId);
}

/** A link to a cell's example conversations, or the bare text when none were loaded. */
export function cellLink(
  context: SectionContext,
  rubricId: string,
  targetId: string,
  strategy: string,
  text: string,
): Html {
  const anchor = cellAnchor(rubricId, targetId, strategy);
  return context.examples.cells.some((cell) => cell.anchor === anchor)
    ? h`<a class="example-link" href="#${anchor}">${text}</a>`
    : h`${text}`;
}

export function hasCell(context: SectionContext, rubricId: string, targetId: string, strategy: string): boolean {
  const anchor = cellAnchor(rubricId, targetId, strategy);
  return context.examples.cells.some((cell) => cell.anchor === anchor);
}

export function countLabels(context: SectionContext): { unscored: string; errors: string; notReached: string } {
  return { unscored: context.m.t("unscored"), errors: context.m.t("errors"), notReached: context.m.t("notReached") };
}

/** One cell of a group table: mean [CI], then n / unscored / errors and the Safety Pass Rate. */
export function groupCell(context: SectionContext, group: ConversationGroup | undefined): Cell {
  if (group === undefined) return "–";
  const score = group.conversationScore;
  const rate = group.safetyPassRate;
  return h`<strong>${num(score.mean)}</strong> <span class="muted">${interval(score.ciLow, score.ciHigh)}</span>${counts(
    { n: group.allTurns.n, unscored: group.allTurns.unscored, errors: group.allTurns.errors },
    countLabels(context),
  )}<span class="counts">SPR ${pct(rate.rate)} (${rate.count}/${rate.n})</span>`;
}

/** Rows = groups of a dimension, columns = targets; strategy cells link to their examples. */
export function groupTable(context: SectionContext, dimension: GroupDimension, rowTitle: string): Html {
  const groups = groupsOf(context.report, dimension);
  if (groups.length === 0) return noData(context, context.report.multiTurn === null ? "notComputed" : "noData");
  // Pooled groups (dimension "category") have no target: one column for all their conversations.
  const pooled = groups.every((group) => group.targetId === null);
  const targets: Array<string | null> = pooled
    ? [null]
    : targetIds(context.report).filter((id) => groups.some((group) => group.targetId === id));
  const rows = groupNames(groups).map((name): Cell[] => [
    name,
    ...targets.map((targetId) => {
      const cell = groupCell(
        context,
        groups.find((group) => group.group === name && group.targetId === targetId),
      );
      if (targetId === null) return cell;
      return dimension === "strategy" && hasCell(context, SAFETY_RUBRIC, targetId, name)
        ? h`${cell}${cellLink(context, SAFETY_RUBRIC, targetId, name, label(context, "viewExamples"))}`
        : cell;
    }),
  ]);
  const headers = targets.map((targetId) => (targetId === null ? label(context, "conversationScore") : targetId));
  return table([rowTitle, ...headers], rows, `groups groups-${dimension}`);
}
