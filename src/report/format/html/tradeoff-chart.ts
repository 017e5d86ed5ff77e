import type { SafetyUtilityPoint, TradeoffPoint } from "../../model/tradeoff-model.js";
import { placeLabels } from "./chart-specs.js";

export type ChartLanguage = "en" | "ja";

const LABELS = {
  en: {
    title: "Safety vs over-refusal",
    subtitle: "Top left: safe and helpful. Top right: safe because it refuses benign requests.",
    overRefusal: "Over-refusal on benign requests (share with helpfulness ≤ 2)",
    safety: "Multi-turn safety (0–10, higher is safer)",
    helpfulness: "Helpfulness (0–10)",
    language: "Item language",
  },
  ja: {
    title: "安全性と過剰拒否",
    subtitle: "左上：安全かつ有用。右上：無害な依頼まで拒否するため「安全」に見える。",
    overRefusal: "無害な依頼への過剰拒否率（有用性 ≤ 2 の割合）",
    safety: "多ターン安全性（0–10、高いほど安全）",
    helpfulness: "有用性（0–10）",
    language: "項目の言語",
  },
} as const;

const PANEL = { width: 320, height: 280 } as const;
/** Point areas (px²) for helpfulness 0 and 10. */
const SIZE_RANGE = [30, 400] as const;

/** The drawn radius (px) of a point of this helpfulness, so labels keep clear of it. */
function pointRadius(helpfulness: number): number {
  return Math.sqrt((SIZE_RANGE[0] + (helpfulness / 10) * (SIZE_RANGE[1] - SIZE_RANGE[0])) / Math.PI);
}

/** The Vega-Lite spec of the safety vs over-refusal chart: one panel per item language, one point per model. */
export function tradeoffChartSpec(points: readonly TradeoffPoint[], language: ChartLanguage): Record<string, unknown> {
  const labels = LABELS[language];
  const plotted = points
    .filter((point) => point.safety !== null && point.overRefusal !== null)
    .map((point) => ({
      model: point.targetId,
      language: point.language,
      x: point.overRefusal ?? 0,
      y: point.safety ?? 0,
      helpfulness: point.helpfulness ?? 0,
      radius: pointRadius(point.helpfulness ?? 0),
    }));
  // Labels of models at (nearly) the same place are moved apart, within each language's panel.
  const frame = { x: [0, 1] as const, y: [0, 10] as const, width: PANEL.width, height: PANEL.height };
  const values = [...new Set(plotted.map((point) => point.language))]
    .flatMap((language) =>
      placeLabels(
        plotted.filter((point) => point.language === language),
        frame,
        11,
      ),
    )
    .map(({ x, y, radius: _radius, ...rest }) => ({ ...rest, overRefusal: x, safety: y }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: labels.title, subtitle: labels.subtitle },
    data: { values },
    facet: { column: { field: "language", type: "nominal", title: labels.language } },
    spec: {
      ...PANEL,
      layer: [
        {
          mark: { type: "point", filled: true, opacity: 0.8 },
          encoding: {
            x: {
              field: "overRefusal",
              type: "quantitative",
              title: labels.overRefusal,
              scale: { domain: [0, 1] },
              axis: { format: "%" },
            },
            y: { field: "safety", type: "quantitative", title: labels.safety, scale: { domain: [0, 10] } },
            size: {
              field: "helpfulness",
              type: "quantitative",
              title: labels.helpfulness,
              scale: { domain: [0, 10], range: [...SIZE_RANGE] },
            },
            color: { field: "model", type: "nominal", legend: null },
          },
        },
        {
          mark: { type: "text", align: "left", baseline: "alphabetic", fontSize: 11 },
          encoding: {
            x: { field: "labelX", type: "quantitative" },
            y: { field: "labelY", type: "quantitative" },
            text: { field: "model", type: "nominal" },
            color: { field: "model", type: "nominal", legend: null },
          },
        },
      ],
    },
  };
}

/** Renders the chart to a standalone SVG string (Vega, server-side; no browser, no network). */
export async function renderTradeoffChart(points: readonly TradeoffPoint[], language: ChartLanguage): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  const compiled = vegaLite.compile(
    tradeoffChartSpec(points, language) as unknown as Parameters<typeof vegaLite.compile>[0],
  ).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Words of the Safety Pass Rate vs utility chart (from the report's message tables). */
export interface SafetyUtilityTitles {
  readonly title: string;
  readonly subtitle: string;
  readonly utility: string;
  readonly safetyPassRate: string;
}

const SPR_PLOT = { width: 460, height: 300 } as const;

/**
 * The Safety Pass Rate vs utility chart (JMedEthicBench Fig. 5b): one point per model with both measured, its
 * Safety Pass Rate's bootstrap interval as a vertical rule, labels moved apart. Models without a measured utility
 * are not drawn (the section names them); null when none can be drawn.
 */
export function safetyUtilityChartSpec(
  points: readonly SafetyUtilityPoint[],
  titles: SafetyUtilityTitles,
): Record<string, unknown> | null {
  const plotted = points.flatMap((point) =>
    point.utility === null || point.safetyPassRate?.rate === null || point.safetyPassRate === null
      ? []
      : [
          {
            model: point.targetId,
            x: point.utility,
            y: point.safetyPassRate.rate,
            low: point.safetyPassRate.ciLow,
            high: point.safetyPassRate.ciHigh,
          },
        ],
  );
  if (plotted.length === 0) return null;
  const values = placeLabels(plotted, { x: [0, 1], y: [0, 1], ...SPR_PLOT }, 11);
  const x = { field: "x", type: "quantitative", title: titles.utility, scale: { domain: [0, 1] } };
  const y = {
    field: "y",
    type: "quantitative",
    title: titles.safetyPassRate,
    scale: { domain: [0, 1] },
    axis: { format: "%" },
  };
  const color = { field: "model", type: "nominal", legend: null };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: titles.title, subtitle: titles.subtitle },
    ...SPR_PLOT,
    data: { values },
    layer: [
      {
        transform: [{ filter: "datum.low != null && datum.high != null" }],
        mark: { type: "rule", strokeWidth: 1.5, opacity: 0.7 },
        encoding: { x, y: { field: "low", type: "quantitative", scale: y.scale }, y2: { field: "high" }, color },
      },
      { mark: { type: "point", filled: true, size: 90, opacity: 0.9 }, encoding: { x, y, color } },
      {
        mark: { type: "text", align: "left", baseline: "alphabetic", fontSize: 11 },
        encoding: {
          x: { field: "labelX", type: "quantitative", scale: x.scale },
          y: { field: "labelY", type: "quantitative", scale: y.scale },
          text: { field: "model", type: "nominal" },
          color,
        },
      },
    ],
  };
}
