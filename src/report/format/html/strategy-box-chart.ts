/**
 * Box plots of turn scores per strategy drawn from the report's numbers (never re-estimated by Vega): the box from
 * Q1 to Q3, a tick at the median, a dot at the mean, whiskers as the report computed them (Tukey's 1.5 × IQR).
 * Horizontal, so long strategy names read level and whole; per model as small multiples.
 */
import type { StrategyBox } from "../../model/strategy-box-model.js";
import type { VegaLiteSpec } from "./charts.js";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

export interface BoxChartTitles {
  readonly title: string;
  readonly subtitle: string;
  readonly strategy: string;
  readonly score: string;
}

interface BoxDatum {
  readonly model: string;
  readonly strategy: string;
  readonly q1: number;
  readonly median: number;
  readonly q3: number;
  readonly whiskerLow: number;
  readonly whiskerHigh: number;
  readonly mean: number;
}

function drawable(boxes: readonly StrategyBox[]): BoxDatum[] {
  return boxes.flatMap((box): BoxDatum[] =>
    box.q1 === null ||
    box.median === null ||
    box.q3 === null ||
    box.whiskerLow === null ||
    box.whiskerHigh === null ||
    box.mean === null
      ? []
      : [
          {
            model: box.targetId ?? "",
            strategy: box.strategy,
            q1: box.q1,
            median: box.median,
            q3: box.q3,
            whiskerLow: box.whiskerLow,
            whiskerHigh: box.whiskerHigh,
            mean: box.mean,
          },
        ],
  );
}

function layers(titles: BoxChartTitles, strategies: readonly string[]): Array<Record<string, unknown>> {
  const y = { field: "strategy", type: "nominal", title: titles.strategy, sort: strategies, axis: { labelLimit: 0 } };
  const scale = { domain: [0, 10] };
  return [
    {
      mark: { type: "rule", color: "#1f3b5c" },
      encoding: {
        y,
        x: { field: "whiskerLow", type: "quantitative", title: titles.score, scale },
        x2: { field: "whiskerHigh" },
      },
    },
    {
      mark: { type: "bar", size: 14, color: "#9ecae9", stroke: "#4c78a8" },
      encoding: { y, x: { field: "q1", type: "quantitative", scale }, x2: { field: "q3" } },
    },
    {
      mark: { type: "tick", orient: "vertical", size: 14, thickness: 2, color: "#1f3b5c" },
      encoding: { y, x: { field: "median", type: "quantitative", scale } },
    },
    {
      mark: { type: "point", filled: true, color: "#e45756", size: 30 },
      encoding: { y, x: { field: "mean", type: "quantitative", scale } },
    },
  ];
}

/** One box per strategy, every model pooled; null when no strategy has a scored turn. */
export function pooledBoxSpec(boxes: readonly StrategyBox[], titles: BoxChartTitles): VegaLiteSpec | null {
  const data = drawable(boxes);
  if (data.length === 0) return null;
  return {
    $schema: SCHEMA,
    title: { text: titles.title, subtitle: titles.subtitle },
    width: 420,
    height: { step: 26 },
    data: { values: data },
    layer: layers(
      titles,
      data.map((datum) => datum.strategy),
    ),
  };
}

/** One panel per model (three a row, in run order), the same strategies on each; null when nothing is drawable. */
export function perModelBoxSpec(boxes: readonly StrategyBox[], titles: BoxChartTitles): VegaLiteSpec | null {
  const data = drawable(boxes);
  if (data.length === 0) return null;
  const strategies = [...new Set(data.map((datum) => datum.strategy))];
  const models = [...new Set(data.map((datum) => datum.model))];
  return {
    $schema: SCHEMA,
    title: { text: titles.title, subtitle: titles.subtitle },
    data: { values: data },
    columns: 3,
    facet: {
      field: "model",
      type: "nominal",
      title: null,
      sort: models,
      header: { labelFontSize: 12, labelFontWeight: "bold" },
    },
    spec: { width: 200, height: { step: 18 }, layer: layers(titles, strategies) },
  };
}
