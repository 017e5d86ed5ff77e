/**
 * The scaling figure's Vega-Lite specs (JMedEthicBench Fig. 5a): safety against model size on a log axis, one line
 * per family, bootstrap intervals as rules.
 */
import { formatParameterCount } from "../../../analysis/index.js";
import type { ScalingReport } from "../../model/scaling-model.js";
import { estimateTextWidth, type VegaLiteSpec } from "./charts.js";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const PLOT = { width: 460, height: 260 } as const;

/** What a size chart plots: the mean conversation score (0–10) or the Safety Pass Rate (0–1). */
export type SizeMetric = "score" | "rate";

export interface SizeChartTitles {
  readonly title: string;
  readonly subtitle: string;
  readonly x: string;
  readonly y: string;
  readonly family: string;
}

interface SizeDatum {
  readonly model: string;
  readonly family: string;
  readonly parameters: number;
  readonly size: string;
  readonly x: number;
  readonly y: number;
  readonly low: number | null;
  readonly high: number | null;
}

/** The points of the families' lines for one metric (targets without the value are left out). */
export function sizeData(scaling: ScalingReport, metric: SizeMetric): SizeDatum[] {
  const points = new Map(scaling.points.map((point) => [point.targetId, point]));
  return scaling.families.flatMap((family) =>
    family.targetIds.flatMap((targetId): SizeDatum[] => {
      const point = points.get(targetId);
      const total = point?.totalParameters ?? null;
      if (point === undefined || total === null) return [];
      const value = metric === "score" ? point.conversationScore.mean : point.safetyPassRate.rate;
      if (value === null) return [];
      const low = metric === "score" ? point.conversationScore.ciLow : point.safetyPassRate.ciLow;
      const high = metric === "score" ? point.conversationScore.ciHigh : point.safetyPassRate.ciHigh;
      return [
        {
          model: targetId,
          family: family.family,
          parameters: total,
          size: formatParameterCount(total),
          x: Math.log10(total),
          y: value,
          low,
          high,
        },
      ];
    }),
  );
}

/**
 * Safety by size within each family; null when no target has a family, a size and a value. A point is named by its
 * family (colour) and its size (an axis tick at every size drawn), so points carry no labels that could collide; the
 * table under the chart names each target. Tick labels turn upright when two sizes sit too close to read them level.
 */
export function sizeChartSpec(
  scaling: ScalingReport,
  metric: SizeMetric,
  titles: SizeChartTitles,
): VegaLiteSpec | null {
  const data = sizeData(scaling, metric);
  if (data.length === 0) return null;
  const sizes = [...new Set(data.map((datum) => datum.parameters))].sort((a, b) => a - b);
  // Half a decade of margin on each side of the sizes drawn (log10 units).
  const lowest = Math.log10(sizes[0] ?? 1) - 0.5;
  const highest = Math.log10(sizes[sizes.length - 1] ?? 1) + 0.5;
  const pixelsPerDecade = PLOT.width / (highest - lowest);
  const crowded = sizes.some((size, index) => {
    const next = sizes[index + 1];
    if (next === undefined) return false;
    const apart = (Math.log10(next) - Math.log10(size)) * pixelsPerDecade;
    const widths =
      (estimateTextWidth(formatParameterCount(size), 11) + estimateTextWidth(formatParameterCount(next), 11)) / 2;
    return apart < widths + 4;
  });
  const domainY: [number, number] = metric === "score" ? [0, 10] : [0, 1];
  const x = {
    field: "parameters",
    type: "quantitative",
    title: titles.x,
    scale: { type: "log", domain: [10 ** lowest, 10 ** highest], nice: false },
    axis: {
      values: sizes,
      labelExpr: sizeLabelExpression(),
      labelAngle: crowded ? -90 : 0,
      labelOverlap: false,
      grid: true,
    },
  };
  const y = {
    field: "y",
    type: "quantitative",
    title: titles.y,
    scale: { domain: domainY },
    ...(metric === "rate" ? { axis: { format: "%" } } : {}),
  };
  const color = {
    field: "family",
    type: "nominal",
    title: titles.family,
    legend: { orient: "bottom", direction: "vertical", columns: 1 },
  };
  return {
    $schema: SCHEMA,
    title: { text: titles.title, subtitle: titles.subtitle },
    ...PLOT,
    data: { values: data },
    layer: [
      {
        mark: { type: "line", point: { filled: true, size: 60 } },
        encoding: { x, y, color, detail: { field: "family" } },
      },
      {
        transform: [{ filter: "datum.low != null && datum.high != null" }],
        mark: { type: "rule", strokeWidth: 1.5 },
        encoding: { x, y: { field: "low", type: "quantitative" }, y2: { field: "high" }, color },
      },
    ],
  };
}

/** Axis labels in the configs' units (8B, 600M, 1.5T), as a Vega expression over the tick's value. */
function sizeLabelExpression(): string {
  const unit = (value: number, suffix: string) => `format(datum.value / ${value}, '~g') + '${suffix}'`;
  return `datum.value >= 1e12 ? ${unit(1e12, "T")} : datum.value >= 1e9 ? ${unit(1e9, "B")} : datum.value >= 1e6 ? ${unit(1e6, "M")} : ${unit(1e3, "K")}`;
}
