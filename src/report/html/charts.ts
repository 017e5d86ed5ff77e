/** Vega-Lite specs rendered to inline SVG on the server (Vega's headless SVG renderer: no browser, no network). */
import { escapeHtml } from "./escape.js";

/** Fonts for HTML and SVG text: Japanese needs a CJK face (Debian: fonts-noto-cjk). */
export const FONT_STACK = "'Noto Sans CJK JP', 'Noto Sans JP', 'Hiragino Sans', 'Yu Gothic', 'Meiryo', sans-serif";

export type VegaLiteSpec = Record<string, unknown>;

const THEME = {
  font: FONT_STACK,
  background: "#ffffff",
  padding: 8,
  axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 240, titleFontWeight: "normal" },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 240 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 14, anchor: "start", subtitleFontSize: 11 },
  view: { stroke: "#d0d7de" },
  range: { category: ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac", "#eeca3b"] },
};

/** The spec with the report's theme (fonts included) merged into its config. */
export function themed(spec: VegaLiteSpec): VegaLiteSpec {
  const own = (spec["config"] ?? {}) as Record<string, unknown>;
  const { $schema: _schema, ...rest } = spec;
  void _schema;
  return { ...rest, config: { ...THEME, ...own } };
}

/** Renders a Vega-Lite spec to an SVG string (no XML prolog), ready to inline in HTML. */
export async function renderChart(spec: VegaLiteSpec): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  const compiled = vegaLite.compile(themed(spec) as unknown as Parameters<typeof vegaLite.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    const svg = await view.toSVG();
    return svg.replace(/^<\?xml[^>]*>\s*/, "");
  } finally {
    view.finalize();
  }
}

/** A chart as a figure (`caption` already escaped); a spec that fails to render becomes a visible note, never a broken page. */
export async function figure(name: string, spec: VegaLiteSpec | null, caption = ""): Promise<string> {
  if (spec === null) return "";
  let body: string;
  try {
    body = await renderChart(spec);
  } catch (error) {
    body = `<p class="note chart-error">chart could not be rendered: ${escapeHtml(error instanceof Error ? error.message : error)}</p>`;
  }
  return `<figure class="chart" data-chart="${name}">${body}${caption === "" ? "" : `<figcaption>${caption}</figcaption>`}</figure>`;
}
