/** The report's Vega-Lite specs: plain data in, spec out (rendered by charts.ts). Titles come from the message table. */
import type { VegaLiteSpec } from "./charts.js";

export interface LinePoint { readonly model: string; readonly turn: number; readonly value: number; readonly low: number | null; readonly high: number | null }

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const SCORE_DOMAIN = [0, 10];

/** Above this many models, line charts become small multiples (one panel per model) instead of one colour each. */
export const MAX_COLOURED_MODELS = 8;

/** Layers drawn once per model: coloured in one chart, or faceted into panels when there are many models. */
function perModel(points: readonly LinePoint[], layers: ReadonlyArray<Record<string, unknown>>, size: { width: number; height: number }, modelTitle: string): VegaLiteSpec {
  const models = new Set(points.map((point) => point.model)).size;
  if (models <= MAX_COLOURED_MODELS) {
    const color = { field: "model", type: "nominal", title: modelTitle };
    return { $schema: SCHEMA, ...size, data: { values: points }, layer: layers.map((layer) => ({ ...layer, encoding: { ...(layer["encoding"] as object), color } })) };
  }
  return {
    $schema: SCHEMA, data: { values: points }, columns: 6,
    facet: { field: "model", type: "nominal", title: null, header: { labelFontSize: 11, labelFontWeight: "bold" } },
    spec: { width: 140, height: 100, layer: layers },
  };
}

/** Mean score per turn per model, with CI error bars where given. */
export function declineSpec(points: readonly LinePoint[], titles: { readonly turn: string; readonly score: string; readonly model: string }): VegaLiteSpec {
  const x = { field: "turn", type: "ordinal", title: titles.turn, axis: { labelAngle: 0 } };
  return perModel(points, [
    { mark: { type: "line", point: { filled: true, size: 40 } }, encoding: { x, y: { field: "value", type: "quantitative", title: titles.score, scale: { domain: SCORE_DOMAIN } } } },
    { transform: [{ filter: "datum.low != null && datum.high != null" }], mark: { type: "rule", strokeWidth: 1.5 }, encoding: { x, y: { field: "low", type: "quantitative" }, y2: { field: "high" } } },
  ], { width: 520, height: 280 }, titles.model);
}

/** Kaplan–Meier curves: share of conversations not yet failed after each turn. */
export function survivalSpec(points: readonly LinePoint[], titles: { readonly turn: string; readonly share: string; readonly model: string }): VegaLiteSpec {
  return perModel(points, [{
    mark: { type: "line", interpolate: "step-after", point: true },
    encoding: {
      x: { field: "turn", type: "ordinal", title: titles.turn, axis: { labelAngle: 0 } },
      y: { field: "value", type: "quantitative", title: titles.share, scale: { domain: [0, 1] }, axis: { format: "%" } },
    },
  }], { width: 520, height: 240 }, titles.model);
}

export interface HeatCell { readonly row: string; readonly column: string; readonly value: number | null; readonly label: string; readonly href: string | null }

/** A row × column heatmap of scores on 0–10 (red = unsafe), each cell linked to its examples when `href` is set. */
export function heatmapSpec(cells: readonly HeatCell[], titles: { readonly row: string; readonly column: string; readonly score: string }): VegaLiteSpec {
  const rows = new Set(cells.map((cell) => cell.row)).size;
  const columns = new Set(cells.map((cell) => cell.column)).size;
  const compact = columns > MAX_COLOURED_MODELS;
  const encoding = {
    x: { field: "column", type: "nominal", title: titles.column, axis: { labelAngle: compact ? -45 : 0, orient: "top", labelLimit: compact ? 160 : 104 } },
    y: { field: "row", type: "nominal", title: titles.row },
    href: { field: "href", type: "nominal" },
  };
  return {
    $schema: SCHEMA, width: Math.max(160, columns * (compact ? 44 : 110)), height: Math.max(60, rows * 28), data: { values: cells.map((cell) => (compact ? { ...cell, label: cell.value === null ? "" : cell.value.toFixed(1) } : cell)) },
    layer: [
      { mark: { type: "rect", stroke: "#ffffff", strokeWidth: 1, cursor: "pointer" }, encoding: { ...encoding, color: { field: "value", type: "quantitative", title: titles.score, scale: { domain: SCORE_DOMAIN, scheme: "redyellowgreen" } } } },
      { mark: { type: "text", fontSize: 11 }, encoding: { ...encoding, text: { field: "label", type: "nominal" }, color: { value: "#111111" } } },
    ],
  };
}

export interface BarRow { readonly group: string; readonly model: string; readonly value: number; readonly low: number | null; readonly high: number | null }

/** Horizontal bars, one per group and model (grouped), with interval rules. */
export function groupedBarsSpec(rows: readonly BarRow[], titles: { readonly group: string; readonly value: string; readonly model: string }, domain: readonly [number, number] = [0, 10]): VegaLiteSpec {
  const models = new Set(rows.map((row) => row.model)).size;
  const y = { field: "group", type: "nominal", title: titles.group };
  const yOffset = { field: "model", type: "nominal" };
  const color = { field: "model", type: "nominal", title: titles.model };
  return {
    $schema: SCHEMA, width: 460, height: { step: Math.max(10, 28 / Math.max(1, models)) }, data: { values: rows },
    layer: [
      { mark: { type: "bar" }, encoding: { y, yOffset, color, x: { field: "value", type: "quantitative", title: titles.value, scale: { domain: [...domain] } } } },
      { transform: [{ filter: "datum.low != null && datum.high != null" }], mark: { type: "rule", color: "#333333" }, encoding: { y, yOffset, x: { field: "low", type: "quantitative" }, x2: { field: "high" } } },
    ],
  };
}

export interface ScatterPoint { readonly model: string; readonly x: number; readonly y: number; readonly size?: number }

/** Points on two scales of the same range, with the y = x diagonal; labelled by model unless `sizeTitle` is set. */
export function scatterSpec(points: readonly ScatterPoint[], titles: { readonly x: string; readonly y: string; readonly size?: string }, domain: readonly [number, number] = [0, 10]): VegaLiteSpec {
  const scale = { domain: titles.size === undefined ? zoom(points, domain) : [...domain] };
  const x = { field: "x", type: "quantitative", title: titles.x, scale };
  const y = { field: "y", type: "quantitative", title: titles.y, scale };
  const marks: Record<string, unknown>[] = titles.size === undefined
    ? [
      { mark: { type: "point", filled: true, size: 90 }, encoding: { x, y, color: { field: "model", type: "nominal", legend: null } } },
      { mark: { type: "text", align: "left", dx: 7, dy: -7, fontSize: points.length > MAX_COLOURED_MODELS ? 9 : 11 }, encoding: { x, y, text: { field: "model", type: "nominal" } } },
    ]
    : [{ mark: { type: "circle", opacity: 0.7, color: "#4c78a8" }, encoding: { x, y, size: { field: "size", type: "quantitative", title: titles.size, scale: { range: [30, 900], zero: false }, legend: { format: "d", tickMinStep: 1 } } } }];
  return {
    $schema: SCHEMA, width: 360, height: 360,
    layer: [
      { data: { values: [{ x: scale.domain[0], y: scale.domain[0] }, { x: scale.domain[1], y: scale.domain[1] }] }, mark: { type: "line", strokeDash: [4, 4], color: "#999999" }, encoding: { x, y } },
      ...marks.map((layer) => ({ data: { values: points }, ...layer })),
    ],
  };
}

/** The range of the points on both axes, widened to whole numbers with a margin and kept within `limits`. */
function zoom(points: readonly ScatterPoint[], limits: readonly [number, number]): number[] {
  const values = points.flatMap((point) => [point.x, point.y]);
  if (values.length === 0) return [...limits];
  const low = Math.max(limits[0], Math.floor(Math.min(...values) - 0.5));
  const high = Math.min(limits[1], Math.ceil(Math.max(...values) + 0.5));
  return high - low < 2 ? [...limits] : [low, high];
}

export interface BoxRow { readonly group: string; readonly q1: number; readonly median: number; readonly q3: number; readonly mean: number | null }

/** Box plots drawn from precomputed quartiles: box q1–q3, tick at the median, dot at the mean. */
export function boxSpec(rows: readonly BoxRow[], titles: { readonly group: string; readonly score: string }): VegaLiteSpec {
  const x = { field: "group", type: "nominal", title: titles.group, axis: { labelAngle: 0 } };
  const y = { type: "quantitative", title: titles.score, scale: { domain: SCORE_DOMAIN } };
  return {
    $schema: SCHEMA, width: { step: 80 }, height: 260, data: { values: rows },
    layer: [
      { mark: { type: "bar", size: 36, color: "#9ecae9", stroke: "#4c78a8" }, encoding: { x, y: { ...y, field: "q1" }, y2: { field: "q3" } } },
      { mark: { type: "tick", size: 36, thickness: 2, color: "#1f3b5c" }, encoding: { x, y: { ...y, field: "median" } } },
      { transform: [{ filter: "datum.mean != null" }], mark: { type: "point", filled: true, color: "#e45756", size: 40 }, encoding: { x, y: { ...y, field: "mean" } } },
    ],
  };
}

export interface SimpleBar { readonly label: string; readonly value: number; readonly low: number | null; readonly high: number | null; readonly series: string }

/** Vertical bars with optional interval rules (e.g. mean ± SEM per model, ICC per group). */
export function barsSpec(rows: readonly SimpleBar[], titles: { readonly label: string; readonly value: string; readonly series: string }, domain: readonly [number, number]): VegaLiteSpec {
  const x = { field: "label", type: "nominal", title: titles.label, axis: { labelAngle: -30, labelLimit: 400 }, sort: null };
  return {
    $schema: SCHEMA, width: { step: 48 }, height: 240, data: { values: rows },
    layer: [
      { mark: { type: "bar" }, encoding: { x, y: { field: "value", type: "quantitative", title: titles.value, scale: { domain: [...domain] } }, color: { field: "series", type: "nominal", title: titles.series } } },
      { transform: [{ filter: "datum.low != null && datum.high != null" }], mark: { type: "rule", color: "#333333", strokeWidth: 1.5 }, encoding: { x, y: { field: "low", type: "quantitative" }, y2: { field: "high" } } },
    ],
  };
}
