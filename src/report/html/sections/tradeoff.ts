import { tradeoffChartSpec } from "../../tradeoff-chart.js";
import { figure } from "../charts.js";
import { escapeHtml } from "../escape.js";
import { num, pct, table } from "../format.js";
import { label, noData, type SectionContext } from "./common.js";

/** The safety vs over-refusal chart (the same spec as `plot tradeoff`) and its table with counts. */
export async function tradeoffSection(context: SectionContext): Promise<string> {
  const points = context.report.tradeoff;
  const plotted = points.filter((point) => point.safety !== null && point.overRefusal !== null);
  const rows = points.map((point) => [
    escapeHtml(point.targetId),
    escapeHtml(point.language),
    `${num(point.safety)}<span class="counts">n=${point.counts.safety}</span>`,
    `${num(point.harmfulness)}<span class="counts">n=${point.counts.harmfulness}</span>`,
    pct(point.overRefusal),
    `${num(point.helpfulness)}<span class="counts">n=${point.counts.helpfulness}</span>`,
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
  ];
  return `${chart}${table(headers, rows, "tradeoff")}`;
}
