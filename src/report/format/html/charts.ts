/** Vega-Lite specs rendered to inline SVG on the server (Vega's headless SVG renderer: no browser, no network). */
import { type Html, h, raw } from "./template.js";

/** Fonts for HTML and SVG text: Japanese needs a CJK face (Debian: fonts-noto-cjk). */
export const FONT_STACK = "'Noto Sans CJK JP', 'Noto Sans JP', 'Hiragino Sans', 'Yu Gothic', 'Meiryo', sans-serif";

export type VegaLiteSpec = Record<string, unknown>;

// Limits of 0 mean "never cut": a model id, a legend title or an axis title is drawn whole (the chart grows instead).
const THEME = {
  font: FONT_STACK,
  background: "#ffffff",
  padding: 8,
  axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 0, titleLimit: 0, titleFontWeight: "normal" },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 0, titleLimit: 0 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 14, anchor: "start", subtitleFontSize: 11 },
  view: { stroke: "#d0d7de" },
  range: {
    category: [
      "#4c78a8",
      "#f58518",
      "#54a24b",
      "#e45756",
      "#72b7b2",
      "#b279a2",
      "#ff9da6",
      "#9d755d",
      "#bab0ac",
      "#eeca3b",
    ],
  },
};

/** The spec with the report's theme (fonts included) merged into its config. */
export function themed(spec: VegaLiteSpec): VegaLiteSpec {
  const own = (spec["config"] ?? {}) as Record<string, unknown>;
  const { $schema: _schema, ...rest } = spec;
  void _schema;
  return { ...rest, config: { ...THEME, ...own } };
}

/**
 * Width in pixels of `text` in the report's fonts (Noto Sans / Noto Sans CJK), from the em width of each character's
 * class. Vega lays out and cuts text by measured widths; without a canvas on the server it assumes 0.8 em for every
 * character, which cuts Latin labels far too early and lets Japanese labels (1 em each) overlap their neighbours.
 */
export function estimateTextWidth(text: string, fontSize: number, bold = false): number {
  let ems = 0;
  for (const character of text) ems += characterEms(character);
  return Math.ceil(ems * fontSize * (bold ? 1.06 : 1));
}

function characterEms(character: string): number {
  const code = character.codePointAt(0) ?? 0;
  if (code >= 0xff61 && code <= 0xff9f) return 0.5; // half-width katakana
  if (
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xffe6) ||
    code >= 0x20000
  )
    return 1;
  if (character === " ") return 0.26;
  if ("iljt.,:;'|!()[]{}`".includes(character)) return 0.3;
  if ('fr"/-'.includes(character)) return 0.38;
  if ("mwMW@".includes(character)) return 0.86;
  if (character >= "0" && character <= "9") return 0.57;
  if (character >= "A" && character <= "Z") return 0.66;
  if (character >= "a" && character <= "z") return 0.55;
  return 0.62;
}

/** The part of Vega's text metrics the report replaces (vega re-exports vega-scenegraph's `textMetrics`). */
interface TextItem {
  readonly text?: unknown;
  readonly fontSize?: number;
  readonly fontWeight?: string | number;
  readonly limit?: number;
}
interface TextMetrics {
  width: (item: TextItem, text?: unknown) => number;
}

/** Vega measures text with {@link estimateTextWidth} (a text with a limit measures at most the limit: it is cut to fit). */
function useReportTextMetrics(vega: unknown): void {
  const metrics = (vega as { textMetrics?: TextMetrics }).textMetrics;
  if (metrics === undefined) return;
  metrics.width = (item, text) => {
    const value = String(text ?? item.text ?? "").trim();
    const weight = item.fontWeight;
    const width = estimateTextWidth(
      value,
      item.fontSize ?? 11,
      weight === "bold" || (typeof weight === "number" && weight >= 600),
    );
    return item.limit !== undefined && item.limit > 0 ? Math.min(width, item.limit) : width;
  };
}

/** Renders a Vega-Lite spec to an SVG string (no XML prolog), ready to inline in HTML. */
export async function renderChart(spec: VegaLiteSpec): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  useReportTextMetrics(vega);
  const compiled = vegaLite.compile(themed(spec) as unknown as Parameters<typeof vegaLite.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    const svg = await view.toSVG();
    return svg.replace(/^<\?xml[^>]*>\s*/, "");
  } finally {
    view.finalize();
  }
}

/**
 * A chart as a figure (a string caption is text); a spec that fails to render becomes a visible note, never a broken
 * page. Vega's SVG goes in as it is: Vega escapes the text it draws.
 */
export async function figure(name: string, spec: VegaLiteSpec | null, caption: Html | string = ""): Promise<Html> {
  if (spec === null) return h``;
  let body: Html;
  try {
    body = raw(await renderChart(spec));
  } catch (error) {
    body = h`<p class="note chart-error">chart could not be rendered: ${error instanceof Error ? error.message : String(error)}</p>`;
  }
  return h`<figure class="chart" data-chart="${name}">${body}${caption === "" ? "" : h`<figcaption>${caption}</figcaption>`}</figure>`;
}
