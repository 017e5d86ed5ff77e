import { cellAnchor } from "../../../model/anchors.js";
import { type HeatCell, heatmapSpec } from "../chart-specs.js";
import { figure } from "../charts.js";
import { num } from "../format.js";
import { type Html, h } from "../template.js";
import {
  groupNames,
  groupsOf,
  groupTable,
  hasCell,
  label,
  noData,
  SAFETY_RUBRIC,
  type SectionContext,
} from "./common.js";
import { strategyBoxesHtml } from "./scaling.js";

/** Strategy × model cells: mean conversation score, linked to the cell's examples. */
export function strategyCells(context: SectionContext): HeatCell[] {
  const groups = groupsOf(context.report, "strategy").filter((group) => group.targetId !== null);
  return groupNames(groups).flatMap((strategy) =>
    groups
      .filter((group) => group.group === strategy)
      .map((group) => {
        const targetId = group.targetId ?? "";
        return {
          row: strategy,
          column: targetId,
          value: group.conversationScore.mean,
          label: `${num(group.conversationScore.mean, 1)} (n=${group.conversations})`,
          href: hasCell(context, SAFETY_RUBRIC, targetId, strategy)
            ? `#${cellAnchor(SAFETY_RUBRIC, targetId, strategy)}`
            : null,
        };
      }),
  );
}

export async function strategySection(context: SectionContext): Promise<Html> {
  const cells = strategyCells(context);
  if (cells.length === 0) return noData(context, context.report.multiTurn === null ? "notComputed" : "noData");
  const titles = { row: context.m.t("strategyAxis"), column: context.m.t("model"), score: context.m.t("score") };
  const chart = await figure("strategy-heatmap", heatmapSpec(cells, titles), label(context, "strategyNote"));
  const attackers = groupsOf(context.report, "attacker");
  const attackerTable =
    attackers.length === 0
      ? ""
      : h`<h3>${label(context, "attackers")}</h3>${groupTable(context, "attacker", context.m.t("attacker"))}`;
  // Per-strategy box plots of turn scores beside the heatmap (decision 0026).
  const boxes = await strategyBoxesHtml(context);
  return h`${chart}${groupTable(context, "strategy", context.m.t("strategyAxis"))}${boxes}${attackerTable}`;
}
