/** The report's Vega-Lite specs: plain data in, spec out (rendered by charts.ts). Titles come from the message table. */
import { estimateTextWidth, type VegaLiteSpec } from "./charts.js";

export interface LinePoint {
  readonly model: string;
  readonly turn: number;
  readonly value: number;
  readonly low: number | null;
  readonly high: number | null;
}

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const SCORE_DOMAIN = [0, 10];

/** Above this many models, line charts become small multiples (one panel per model) instead of one colour each. */
export const MAX_COLOURED_MODELS = 8;

/** Layers drawn once per model: coloured in one chart, or faceted into panels when there are many models. */
function perModel(
  points: readonly LinePoint[],
  layers: ReadonlyArray<Record<string, unknown>>,
  size: { width: number; height: number },
  modelTitle: string,
): VegaLiteSpec {
  const models = new Set(points.map((point) => point.model)).size;
  if (models <= MAX_COLOURED_MODELS) {
    // Below the plot, one name a line: seen without scrolling sideways on a phone, never cut.
    const color = {
      field: "model",
      type: "nominal",
      title: modelTitle,
      legend: { orient: "bottom", direction: "vertical", columns: 1 },
    };
    return {
      $schema: SCHEMA,
      ...size,
      data: { values: points },
      layer: layers.map((layer) => ({ ...layer, encoding: { ...(layer["encoding"] as object), color } })),
    };
  }
  return {
    $schema: SCHEMA,
    data: { values: points },
    columns: 6,
    facet: { field: "model", type: "nominal", title: null, header: { labelFontSize: 11, labelFontWeight: "bold" } },
    spec: { width: 140, height: 100, layer: layers },
  };
}

/** Mean score per turn per model, with CI error bars where given. */
export function declineSpec(
  points: readonly LinePoint[],
  titles: { readonly turn: string; readonly score: string; readonly model: string },
): VegaLiteSpec {
  const x = { field: "turn", type: "ordinal", title: titles.turn, axis: { labelAngle: 0 } };
  return perModel(
    points,
    [
      {
        mark: { type: "line", point: { filled: true, size: 40 } },
        encoding: {
          x,
          y: { field: "value", type: "quantitative", title: titles.score, scale: { domain: SCORE_DOMAIN } },
        },
      },
      {
        transform: [{ filter: "datum.low != null && datum.high != null" }],
        mark: { type: "rule", strokeWidth: 1.5 },
        encoding: { x, y: { field: "low", type: "quantitative" }, y2: { field: "high" } },
      },
    ],
    { width: 520, height: 280 },
    titles.model,
  );
}

/** Kaplan–Meier curves: share of conversations not yet failed after each turn. */
export function survivalSpec(
  points: readonly LinePoint[],
  titles: { readonly turn: string; readonly share: string; readonly model: string },
): VegaLiteSpec {
  return perModel(
    points,
    [
      {
        mark: { type: "line", interpolate: "step-after", point: true },
        encoding: {
          x: { field: "turn", type: "ordinal", title: titles.turn, axis: { labelAngle: 0 } },
          y: {
            field: "value",
            type: "quantitative",
            title: titles.share,
            scale: { domain: [0, 1] },
            axis: { format: "%" },
          },
        },
      },
    ],
    { width: 520, height: 240 },
    titles.model,
  );
}

export interface HeatCell {
  readonly row: string;
  readonly column: string;
  readonly value: number | null;
  readonly label: string;
  readonly href: string | null;
}

/**
 * A row × column heatmap of scores on 0–10 (red = unsafe), each cell linked to its examples when `href` is set. Column
 * names are written level when every one fits its column, else slanted; never cut.
 */
export function heatmapSpec(
  cells: readonly HeatCell[],
  titles: { readonly row: string; readonly column: string; readonly score: string },
): VegaLiteSpec {
  const rows = new Set(cells.map((cell) => cell.row)).size;
  const names = [...new Set(cells.map((cell) => cell.column))];
  const columns = names.length;
  const compact = columns > MAX_COLOURED_MODELS;
  const step = compact ? 44 : 110;
  const level = names.every((name) => estimateTextWidth(name, 11) <= step - 8);
  const encoding = {
    x: {
      field: "column",
      type: "nominal",
      title: titles.column,
      sort: null,
      axis: { labelAngle: level ? 0 : -40, orient: "top", labelLimit: 0 },
    },
    y: { field: "row", type: "nominal", title: titles.row, sort: null },
    href: { field: "href", type: "nominal" },
  };
  return {
    $schema: SCHEMA,
    width: Math.max(160, columns * step),
    height: Math.max(60, rows * 28),
    data: {
      values: cells.map((cell) =>
        compact ? { ...cell, label: cell.value === null ? "" : cell.value.toFixed(1) } : cell,
      ),
    },
    layer: [
      {
        mark: { type: "rect", stroke: "#ffffff", strokeWidth: 1, cursor: "pointer" },
        encoding: {
          ...encoding,
          color: {
            field: "value",
            type: "quantitative",
            title: titles.score,
            scale: { domain: SCORE_DOMAIN, scheme: "redyellowgreen" },
            legend: { titleLimit: 0 },
          },
        },
      },
      // White text on the darkest cells of the scheme (both ends), dark text elsewhere.
      {
        mark: { type: "text", fontSize: 11 },
        encoding: {
          ...encoding,
          text: { field: "label", type: "nominal" },
          color: {
            condition: { test: "datum.value != null && (datum.value >= 8.5 || datum.value <= 1.5)", value: "#ffffff" },
            value: "#111111",
          },
        },
      },
    ],
  };
}

export interface BarRow {
  readonly group: string;
  readonly model: string;
  readonly value: number;
  readonly low: number | null;
  readonly high: number | null;
}

/** Horizontal bars, one per group and model (grouped), with interval rules. */
export function groupedBarsSpec(
  rows: readonly BarRow[],
  titles: { readonly group: string; readonly value: string; readonly model: string },
  domain: readonly [number, number] = [0, 10],
): VegaLiteSpec {
  const models = new Set(rows.map((row) => row.model)).size;
  const y = { field: "group", type: "nominal", title: titles.group };
  const yOffset = { field: "model", type: "nominal" };
  const color = { field: "model", type: "nominal", title: titles.model };
  return {
    $schema: SCHEMA,
    width: 460,
    height: { step: Math.max(10, 28 / Math.max(1, models)) },
    data: { values: rows },
    layer: [
      {
        mark: { type: "bar" },
        encoding: {
          y,
          yOffset,
          color,
          x: { field: "value", type: "quantitative", title: titles.value, scale: { domain: [...domain] } },
        },
      },
      {
        transform: [{ filter: "datum.low != null && datum.high != null" }],
        mark: { type: "rule", color: "#333333" },
        encoding: { y, yOffset, x: { field: "low", type: "quantitative" }, x2: { field: "high" } },
      },
    ],
  };
}

export interface ScatterPoint {
  readonly model: string;
  readonly x: number;
  readonly y: number;
  readonly size?: number;
}

const SCATTER_SIZE = 360;

/**
 * Points on two scales of the same range, with the y = x diagonal; labelled by model (in the point's colour, moved
 * apart where two labels would overlap) unless `sizeTitle` is set.
 */
export function scatterSpec(
  points: readonly ScatterPoint[],
  titles: { readonly x: string; readonly y: string; readonly size?: string },
  domain: readonly [number, number] = [0, 10],
): VegaLiteSpec {
  // Bubbles (up to ≈ 17 px across) at the scale's ends stay inside the plot, clear of the legend.
  const scale =
    titles.size === undefined ? { domain: zoom(points, domain) } : { domain: [...domain], padding: 18, zero: false };
  const x = { field: "x", type: "quantitative", title: titles.x, scale };
  const y = { field: "y", type: "quantitative", title: titles.y, scale };
  const color = { field: "model", type: "nominal", legend: null };
  const fontSize = points.length > MAX_COLOURED_MODELS ? 9 : 11;
  const range: [number, number] = [scale.domain[0] ?? domain[0], scale.domain[1] ?? domain[1]];
  const labelled = placeLabels(points, { x: range, y: range, width: SCATTER_SIZE, height: SCATTER_SIZE }, fontSize);
  const marks: Record<string, unknown>[] =
    titles.size === undefined
      ? [
          { mark: { type: "point", filled: true, size: 90 }, encoding: { x, y, color } },
          {
            mark: { type: "text", align: "left", baseline: "alphabetic", fontSize },
            encoding: {
              x: { field: "labelX", type: "quantitative", scale },
              y: { field: "labelY", type: "quantitative", scale },
              text: { field: "model", type: "nominal" },
              color,
            },
          },
        ]
      : [
          {
            mark: { type: "circle", opacity: 0.7, color: "#4c78a8" },
            encoding: {
              x,
              y,
              size: {
                field: "size",
                type: "quantitative",
                title: titles.size,
                scale: { range: [30, 900], zero: false },
                legend: { format: "d", tickMinStep: 1 },
              },
            },
          },
        ];
  return {
    $schema: SCHEMA,
    width: SCATTER_SIZE,
    height: SCATTER_SIZE,
    layer: [
      {
        data: {
          values: [
            { x: scale.domain[0], y: scale.domain[0] },
            { x: scale.domain[1], y: scale.domain[1] },
          ],
        },
        mark: { type: "line", strokeDash: [4, 4], color: "#999999" },
        encoding: { x, y },
      },
      ...marks.map((layer) => ({ data: { values: labelled }, ...layer })),
    ],
  };
}

/** Where a chart draws its points: the data ranges of both axes and the plot's size in pixels. */
export interface PlotFrame {
  readonly x: readonly [number, number];
  readonly y: readonly [number, number];
  readonly width: number;
  readonly height: number;
}

/**
 * Each point with where its label is drawn (`labelX`, `labelY`, in data units): just right of the point (`radius`
 * px, default 5) and a little above, or nudged up or down in steps of a line until the label's box (estimated text
 * width) overlaps no other point and no label placed before it. Points are placed top to bottom, so the labels keep
 * their points' order.
 */
export function placeLabels<
  Point extends { readonly model: string; readonly x: number; readonly y: number; readonly radius?: number },
>(
  points: readonly Point[],
  frame: PlotFrame,
  fontSize: number,
): Array<Point & { readonly labelX: number; readonly labelY: number }> {
  const xPerPixel = (frame.x[1] - frame.x[0]) / frame.width;
  const yPerPixel = (frame.y[1] - frame.y[0]) / frame.height;
  const line = fontSize + 2;
  const pixel = (point: Point) => ({
    x: (point.x - frame.x[0]) / xPerPixel,
    y: frame.height - (point.y - frame.y[0]) / yPerPixel,
    radius: point.radius ?? 5,
  });
  type Box = { left: number; right: number; top: number; bottom: number };
  const circles: Box[] = points.map((point) => {
    const at = pixel(point);
    return { left: at.x - at.radius, right: at.x + at.radius, top: at.y - at.radius, bottom: at.y + at.radius };
  });
  const labels: Box[] = [];
  const order = [...points.keys()].sort(
    (a, b) => (points[b]?.y ?? 0) - (points[a]?.y ?? 0) || (points[a]?.x ?? 0) - (points[b]?.x ?? 0),
  );
  const placed = new Map<number, { x: number; y: number }>();
  for (const index of order) {
    const point = points[index];
    if (point === undefined) continue;
    const at = pixel(point);
    const left = at.x + at.radius + 2;
    const right = left + estimateTextWidth(point.model, fontSize);
    const baseline = at.y - Math.max(3, at.radius * 0.5);
    const box = (shift: number): Box => ({
      left,
      right,
      top: baseline + shift - fontSize,
      bottom: baseline + shift + 2,
    });
    const apart = (a: Box, b: Box) => a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
    const free = (candidate: Box) =>
      labels.every((other) => apart(candidate, other)) &&
      circles.every((circle, other) => other === index || apart(candidate, circle));
    // A label stays inside the plot's height where it can (a point on the axis gets its label above, not below it).
    const inside = (candidate: Box) => candidate.top >= 0 && candidate.bottom <= frame.height;
    const shifts = [
      0,
      ...Array.from({ length: 24 }, (_, step) => (step % 2 === 0 ? 1 : -1) * line * Math.ceil((step + 1) / 2)),
    ];
    const shift =
      shifts.find((candidate) => free(box(candidate)) && inside(box(candidate))) ??
      shifts.find((candidate) => free(box(candidate))) ??
      0;
    labels.push(box(shift));
    placed.set(index, { x: point.x + (left - at.x) * xPerPixel, y: point.y - (shift - (baseline - at.y)) * yPerPixel });
  }
  return points.map((point, index) => ({
    ...point,
    labelX: placed.get(index)?.x ?? point.x,
    labelY: placed.get(index)?.y ?? point.y,
  }));
}

/** The range of the points on both axes, widened to whole numbers with a margin and kept within `limits`. */
function zoom(points: readonly ScatterPoint[], limits: readonly [number, number]): number[] {
  const values = points.flatMap((point) => [point.x, point.y]);
  if (values.length === 0) return [...limits];
  const low = Math.max(limits[0], Math.floor(Math.min(...values) - 0.5));
  const high = Math.min(limits[1], Math.ceil(Math.max(...values) + 0.5));
  return high - low < 2 ? [...limits] : [low, high];
}

export interface BoxRow {
  readonly group: string;
  readonly q1: number;
  readonly median: number;
  readonly q3: number;
  readonly mean: number | null;
}

/** Box plots drawn from precomputed quartiles: box q1–q3, tick at the median, dot at the mean. */
export function boxSpec(
  rows: readonly BoxRow[],
  titles: { readonly group: string; readonly score: string },
): VegaLiteSpec {
  const x = { field: "group", type: "nominal", title: titles.group, axis: { labelAngle: 0 } };
  const y = { type: "quantitative", title: titles.score, scale: { domain: SCORE_DOMAIN } };
  return {
    $schema: SCHEMA,
    width: { step: 80 },
    height: 260,
    data: { values: rows },
    layer: [
      {
        mark: { type: "bar", size: 36, color: "#9ecae9", stroke: "#4c78a8" },
        encoding: { x, y: { ...y, field: "q1" }, y2: { field: "q3" } },
      },
      {
        mark: { type: "tick", size: 36, thickness: 2, color: "#1f3b5c" },
        encoding: { x, y: { ...y, field: "median" } },
      },
      {
        transform: [{ filter: "datum.mean != null" }],
        mark: { type: "point", filled: true, color: "#e45756", size: 40 },
        encoding: { x, y: { ...y, field: "mean" } },
      },
    ],
  };
}

export interface SimpleBar {
  readonly label: string;
  readonly value: number;
  readonly low: number | null;
  readonly high: number | null;
  readonly series: string;
}

/**
 * Horizontal bars, one per label, with optional interval rules (mean ± SEM per model, ICC per group): labels read
 * level and whole on the left. Each bar runs from `baseline` (default: the scale's minimum, so a 1–5 scale's bars
 * start at 1, not below the axis) and is clipped to the plot. The colour legend is left out when it would repeat
 * the labels.
 */
export function barsSpec(
  rows: readonly SimpleBar[],
  titles: { readonly label: string; readonly value: string; readonly series: string },
  domain: readonly [number, number],
  options: { readonly baseline?: number } = {},
): VegaLiteSpec {
  const y = {
    field: "label",
    type: "nominal",
    title: titles.label,
    sort: null,
    axis: { labelAngle: 0, labelLimit: 0 },
  };
  const scale = { domain: [...domain], zero: false, nice: false };
  const repeatsLabels = rows.every((row) => row.series === row.label);
  const color = { field: "series", type: "nominal", title: titles.series, ...(repeatsLabels ? { legend: null } : {}) };
  return {
    $schema: SCHEMA,
    width: 360,
    height: { step: 22 },
    data: { values: rows },
    layer: [
      {
        mark: { type: "bar", clip: true },
        encoding: {
          y,
          x: { field: "value", type: "quantitative", title: titles.value, scale },
          x2: { datum: options.baseline ?? domain[0] },
          color,
        },
      },
      {
        transform: [{ filter: "datum.low != null && datum.high != null" }],
        mark: { type: "rule", color: "#333333", strokeWidth: 1.5, clip: true },
        encoding: { y, x: { field: "low", type: "quantitative", scale }, x2: { field: "high" } },
      },
    ],
  };
}
