import { type BarRow, groupedBarsSpec, heatmapSpec } from "../chart-specs.js";
import { figure } from "../charts.js";
import { type Cell, num, table } from "../format.js";
import { type Html, h } from "../template.js";
import { groupNames, groupsOf, groupTable, label, noData, SAFETY_RUBRIC, type SectionContext } from "./common.js";

/** Up to this many models, sections are grouped bars with CIs; above, a section × model heatmap. */
const MAX_BAR_MODELS = 4;

export function sectionBars(context: SectionContext): BarRow[] {
  const groups = groupsOf(context.report, "section").filter((group) => group.targetId !== null);
  return groupNames(groups).flatMap((name) =>
    groups
      .filter((group) => group.group === name && group.conversationScore.mean !== null)
      .map((group) => ({
        group: name,
        model: group.targetId ?? "",
        value: group.conversationScore.mean ?? 0,
        low: group.conversationScore.ciLow,
        high: group.conversationScore.ciHigh,
      })),
  );
}

/** Guideline sections (chart + table) and the guideline table; without grouped statistics, the safety scale's by-guideline means. */
export async function guidelinesSection(context: SectionContext): Promise<Html> {
  const bars = sectionBars(context);
  const titles = { group: context.m.t("sectionAxis"), value: context.m.t("score"), model: context.m.t("model") };
  const models = new Set(bars.map((bar) => bar.model)).size;
  const spec =
    models <= MAX_BAR_MODELS
      ? groupedBarsSpec(bars, titles)
      : heatmapSpec(
          bars.map((bar) => ({
            row: bar.group,
            column: bar.model,
            value: bar.value,
            label: num(bar.value, 1),
            href: null,
          })),
          { row: titles.group, column: titles.model, score: titles.value },
        );
  const chart =
    bars.length === 0
      ? noData(context, context.report.multiTurn === null ? "notComputed" : "noData")
      : await figure("sections", spec);
  const sectionTable = bars.length === 0 ? "" : groupTable(context, "section", context.m.t("sectionAxis"));
  const guidelineTable =
    groupsOf(context.report, "guideline").length > 0
      ? groupTable(context, "guideline", context.m.t("guideline"))
      : scaleGuidelines(context);
  return h`${chart}${sectionTable}<h3>${label(context, "guidelines")}</h3>${guidelineTable}`;
}

function scaleGuidelines(context: SectionContext): Html {
  const scale = context.report.scales.find((entry) => entry.rubric.id === SAFETY_RUBRIC);
  if (scale === undefined || scale.targets.every((target) => target.byGuideline.length === 0)) return noData(context);
  const names = [...new Set(scale.targets.flatMap((target) => target.byGuideline.map((group) => group.key)))].sort(
    (a, b) => a.localeCompare(b, "en", { numeric: true }),
  );
  const rows = names.map((name): Cell[] => [
    name,
    ...scale.targets.map((target): Cell => {
      const group = target.byGuideline.find((entry) => entry.key === name);
      return group === undefined
        ? "–"
        : h`<strong>${num(group.mean)}</strong> ± ${num(group.sem)}<span class="counts">n=${group.n}</span>`;
    }),
  ]);
  return table([label(context, "guideline"), ...scale.targets.map((target) => target.key)], rows, "guidelines");
}
