import { rateText } from "../../scaling-text.js";
import { figure } from "../charts.js";
import { type Cell, num, pct, table } from "../format.js";
import { type Html, h } from "../template.js";
import { tradeoffChartSpec } from "../tradeoff-chart.js";
import { label, noData, type SectionContext } from "./common.js";
import { safetyUtilityHtml } from "./scaling.js";

/** The safety vs over-refusal chart (the same spec as `plot tradeoff`) and its table with counts. */
export async function tradeoffSection(context: SectionContext): Promise<Html> {
  const points = context.report.tradeoff;
  const plotted = points.filter((point) => point.safety !== null && point.overRefusal !== null);
  const rows = points.map((point): Cell[] => [
    point.targetId,
    point.language,
    h`${num(point.safety)}<span class="counts">n=${point.counts.safety}</span>`,
    h`${num(point.harmfulness)}<span class="counts">n=${point.counts.harmfulness}</span>`,
    pct(point.overRefusal),
    h`${num(point.helpfulness)}<span class="counts">n=${point.counts.helpfulness}</span>`,
    rateText(point.safetyPassRate ?? null),
  ]);
  if (rows.length === 0) return noData(context);
  const chart =
    plotted.length === 0 ? noData(context) : await figure("tradeoff", tradeoffChartSpec(plotted, context.m.lang));
  const headers = [
    label(context, "model"),
    label(context, "language"),
    label(context, "meanScore"),
    label(context, "harmfulness"),
    label(context, "overRefusal"),
    label(context, "helpfulness"),
    label(context, "spr"),
  ];
  // Safety Pass Rate vs utility per model (decision 0026).
  return h`${chart}${table(headers, rows, "tradeoff")}${await safetyUtilityHtml(context)}`;
}
