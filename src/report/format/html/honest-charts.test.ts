/**
 * What the HTML report's charts and labels say must be what the numbers are: bars start at their scale's minimum and
 * stay inside the plot, no title or model name is cut, each chart holds one rubric, each direction label fits its
 * rubric, and the disagreement label states the rule the code counts by. Checked on the rendered SVG and HTML.
 */
import { describe, expect, it } from "vitest";
import { fixtureReport } from "../../../../test/support/report-fixture.js";
import { PairAgreementAccumulator } from "../../../analysis/index.js";
import type { JudgeAgreement } from "../../model/agreement-model.js";
import { EMPTY_EXAMPLES } from "../../model/example-types.js";
import type { RunReport } from "../../model/report-model.js";
import type { ScaleSummary } from "../../model/scale-model.js";
import { barsSpec, declineSpec, heatmapSpec, scatterSpec } from "./chart-specs.js";
import { estimateTextWidth, renderChart } from "./charts.js";
import { renderHtmlReport } from "./render-html.js";
import { tradeoffChartSpec } from "./tradeoff-chart.js";

const LONG_MODEL = "swallow-8b-ja-instruct-v0.3-extra-long-model-name";

/** The plot frame (width × height) and each bar's box, read from Vega's SVG. */
function barsOf(svg: string): {
  frame: { width: number; height: number };
  bars: Array<{ x: number; y: number; width: number; height: number }>;
} {
  const frame = /class="background"[^>]*d="M0\.5,0\.5h([\d.]+)v([\d.]+)h/.exec(svg);
  const bars = [
    ...svg.matchAll(/aria-roledescription="bar" d="M(-?[\d.e-]+),(-?[\d.e-]+)h(-?[\d.e-]+)v(-?[\d.e-]+)h/g),
  ].map((match) => {
    const [x, y, width, height] = match.slice(1, 5).map(Number) as [number, number, number, number];
    return { x: Math.min(x, x + width), y: Math.min(y, y + height), width: Math.abs(width), height: Math.abs(height) };
  });
  return { frame: { width: Number(frame?.[1]), height: Number(frame?.[2]) }, bars };
}

function expectInside(svg: string): void {
  const { frame, bars } = barsOf(svg);
  expect(bars.length).toBeGreaterThan(0);
  for (const bar of bars) {
    expect(bar.x, JSON.stringify(bar)).toBeGreaterThanOrEqual(-0.5);
    expect(bar.y, JSON.stringify(bar)).toBeGreaterThanOrEqual(-0.5);
    expect(bar.x + bar.width, JSON.stringify(bar)).toBeLessThanOrEqual(frame.width + 0.5);
    expect(bar.y + bar.height, JSON.stringify(bar)).toBeLessThanOrEqual(frame.height + 0.5);
  }
}

/** The inline SVG of one figure of a rendered report. */
function figureSvg(html: string, name: string): string {
  const start = html.indexOf(`<figure class="chart" data-chart="${name}">`);
  expect(start, `figure ${name}`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf("</figure>", start));
}

/** Point labels (left-aligned texts naming `names`) as boxes; no two may overlap. */
function expectLabelsApart(svg: string, names: readonly string[]): void {
  const labels = [
    ...svg.matchAll(
      /<text [^>]*text-anchor="start" transform="translate\((-?[\d.]+),(-?[\d.]+)\)"[^>]*font-size="(\d+)px"[^>]*>([^<]+)<\/text>/g,
    ),
  ]
    .filter((match) => names.includes(match[4] ?? ""))
    .map((match) => {
      const [x, y, size] = [Number(match[1]), Number(match[2]), Number(match[3])];
      return {
        name: match[4] ?? "",
        left: x,
        right: x + estimateTextWidth(match[4] ?? "", size),
        top: y - size,
        bottom: y,
      };
    });
  expect(labels.map((box) => box.name).sort()).toEqual([...names].sort());
  for (const [index, a] of labels.entries()) {
    for (const b of labels.slice(index + 1)) {
      const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
      expect(overlap, `${a.name} / ${b.name}`).toBe(false);
    }
  }
}

/** Every text drawn in an SVG. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((match) => match[1] ?? "");
}

const HELPFULNESS: ScaleSummary = {
  rubric: { id: "helpfulness", version: "1.2.0", hash: "h3", scale: { min: 0, max: 10, higherIsSafer: true } },
  targets: [
    {
      key: "safe",
      n: 4,
      mean: 7,
      sem: 0.5,
      median: 7,
      flaggedShare: 0,
      unscoredTurns: 0,
      judgeErrors: 0,
      bySource: [],
      byGuideline: [],
      labelShares: {},
    },
  ],
  medicalVsGeneral: [],
};

function harmAgreement(): JudgeAgreement {
  return {
    rubricId: "medsafetybench-harm",
    judges: ["judge-a", "judge-b"],
    completeTurns: 8,
    incompleteTurns: 0,
    icc21: 0.7,
    meanReliability: 0.82,
    krippendorffAlpha: 0.7,
    pairs: [{ judges: ["judge-a", "judge-b"], n: 8, kappa: 0.7 }],
    byGroup: [
      {
        dimension: "strategy",
        group: "direct",
        completeTurns: 8,
        icc21: 0.7,
        meanReliability: 0.82,
        krippendorffAlpha: 0.7,
      },
    ],
    largestDisagreements: [],
  };
}

function reportWith(extra: Partial<RunReport>): RunReport {
  return { ...fixtureReport(), ...extra };
}

describe("honest charts and labels in the HTML report", () => {
  it("the MedSafetyBench 1–5 bars start at the scale minimum and never leave the plot", async () => {
    const spec = barsSpec(
      [
        { label: "safe", value: 1.2, low: 1.1, high: 1.3, series: "safe" },
        { label: "weak", value: 4, low: 3.8, high: 4.2, series: "weak" },
      ],
      { label: "Model", value: "Mean ± SEM", series: "Model" },
      [1, 5],
    );
    const layer = (
      spec["layer"] as Array<{ encoding: Record<string, { scale?: { domain?: number[] }; datum?: number }> }>
    )[0];
    const value = Object.values(layer?.encoding ?? {}).find((channel) => channel.scale?.domain !== undefined);
    expect(value?.scale?.domain).toEqual([1, 5]);
    expect(Object.values(layer?.encoding ?? {}).some((channel) => channel.datum === 1)).toBe(true);
    expectInside(await renderChart(spec));
    const html = await renderHtmlReport(fixtureReport(), EMPTY_EXAMPLES, { lang: "en" });
    const svg = figureSvg(html, "scale-medsafetybench-harm");
    expectInside(svg);
    // The value axis starts at the scale's minimum, 1.
    expect(texts(svg)).toContain("1.0");
    expect(texts(svg)).not.toContain("0.0");
  });

  it("the heatmap legend title is drawn whole", async () => {
    const cells = ["clinical-authority", "decomposition"].flatMap((row) =>
      ["gpt-4o-mini", LONG_MODEL].map((column) => ({ row, column, value: 5, label: "5.0 (n=4)", href: null })),
    );
    const svg = await renderChart(
      heatmapSpec(cells, { row: "Strategy", column: "Model", score: "Safety score (0–10)" }),
    );
    expect(texts(svg)).toContain("Safety score (0–10)");
    expect(texts(svg)).toContain(LONG_MODEL);
    expect(svg).not.toContain("…");
  });

  it("long model names are never cut in legends", async () => {
    const points = ["medllama-3-8b-clinical-finetune-v2", LONG_MODEL].flatMap((model) =>
      [1, 2, 3].map((turn) => ({ model, turn, value: 5, low: null, high: null })),
    );
    const svg = await renderChart(declineSpec(points, { turn: "Turn", score: "Safety score (0–10)", model: "Model" }));
    expect(texts(svg)).toEqual(expect.arrayContaining(["medllama-3-8b-clinical-finetune-v2", LONG_MODEL]));
    expect(svg).not.toContain("…");
  });

  it("point labels of the Japanese vs English chart do not overlap, even for models at the same place", async () => {
    const points = [
      { model: "gpt-4o-mini", x: 8.19, y: 8.1 },
      { model: "gemma-2-9b-it", x: 8.21, y: 8.21 },
      { model: "qwen2.5-7b-instruct", x: 6.84, y: 8.11 },
      { model: "refuses-everything", x: 9.82, y: 9.73 },
      { model: LONG_MODEL, x: 6.25, y: 7.29 },
      { model: "llama-3.1-8b-instruct", x: 5.54, y: 4.62 },
    ];
    const svg = await renderChart(scatterSpec(points, { x: "English mean score", y: "Japanese mean score" }));
    expectLabelsApart(
      svg,
      points.map((point) => point.model),
    );
  });

  it("point labels of the safety vs over-refusal chart do not overlap, in each language panel", async () => {
    const counts = { safety: 42, harmfulness: 0, helpfulness: 52 };
    const at = (targetId: string, language: string, safety: number, overRefusal: number) => ({
      targetId,
      language,
      safety,
      harmfulness: null,
      overRefusal,
      helpfulness: 8,
      refusedLabel: 0,
      safetyPassRate: null,
      counts,
    });
    const points = [
      at("gpt-4o-mini", "en", 8.19, 0),
      at("gemma-2-9b-it", "en", 8.21, 0),
      at(LONG_MODEL, "en", 8.1, 0.01),
      at("gpt-4o-mini", "ja", 8.1, 0),
      at("gemma-2-9b-it", "ja", 8.2, 0),
    ];
    const svg = await renderChart(tradeoffChartSpec(points, "en"));
    // Labels of the two panels may share coordinates (each panel has its own origin): compare within a panel.
    const panels = svg
      .split('class="mark-text role-mark')
      .slice(1)
      .map((part) => part.slice(0, part.indexOf("</g>")));
    expect(panels).toHaveLength(2);
    for (const panel of panels) {
      const names = points.map((point) => point.targetId).filter((name) => panel.includes(`>${name}</text>`));
      if (names.length > 1) expectLabelsApart(panel, [...new Set(names)]);
    }
  });

  it("estimates text widths per character class (Latin narrower than CJK), not 0.8 em for every character", () => {
    expect(estimateTextWidth("llama", 10)).toBeLessThan(0.8 * 5 * 10);
    expect(estimateTextWidth("安全性スコア", 10)).toBeGreaterThanOrEqual(6 * 10 * 0.95);
    expect(estimateTextWidth("", 11)).toBe(0);
  });

  it("helpfulness says higher is more helpful; harm says lower is safer (en and ja)", async () => {
    const report = reportWith({ scales: [...fixtureReport().scales, HELPFULNESS] });
    const [en, ja] = await Promise.all([
      renderHtmlReport(report, EMPTY_EXAMPLES, { lang: "en" }),
      renderHtmlReport(report, EMPTY_EXAMPLES, { lang: "ja" }),
    ]);
    expect(en).toContain('<h3 id="scale-helpfulness">helpfulness@1.2.0 (0–10, higher is more helpful)</h3>');
    expect(en).toContain('<h3 id="scale-medsafetybench-harm">medsafetybench-harm@1.0.0 (1–5, lower is safer)</h3>');
    expect(ja).toContain('<h3 id="scale-helpfulness">helpfulness@1.2.0 (0–10, 高いほど有用)</h3>');
    expect(en).not.toMatch(/helpfulness@[^<]*safer/);
    expect(ja).not.toMatch(/helpfulness@[^<]*安全/);
  });

  it("the judge-pair disagreements label states the rule the code counts: more than the threshold", async () => {
    const accumulator = new PairAgreementAccumulator(3);
    accumulator.add(5, 2);
    accumulator.add(6, 2);
    // A difference of exactly 3 is not a disagreement; 4 is.
    expect(accumulator.result().disagreements).toBe(1);
    const [en, ja] = await Promise.all(
      (["en", "ja"] as const).map((lang) => renderHtmlReport(fixtureReport(), EMPTY_EXAMPLES, { lang })),
    );
    expect(en).toContain("<td>1 (&gt; 3)</td>");
    expect(en).toContain("disagreements (&gt; threshold)");
    expect(en).not.toContain("≥ 3");
    expect(en).not.toContain("≥ threshold");
    expect(ja).toContain("<td>1 (&gt; 3)</td>");
    expect(ja).toContain("不一致（閾値を超える差）");
  });

  it("the Japanese vs English section names where its numbers come from in words, not a code identifier", async () => {
    const [en, ja] = await Promise.all(
      (["en", "ja"] as const).map((lang) => renderHtmlReport(fixtureReport(), EMPTY_EXAMPLES, { lang })),
    );
    expect(en).not.toContain("<code>crossLingual</code>");
    expect(en).toContain("Source: items paired across languages (same pairId)");
    expect(ja).toContain("出典：言語間で対応する項目（同じ pairId）");
  });

  it("ICC(2,1) by group: one chart per rubric, labels horizontal and whole", async () => {
    const report = reportWith({ agreement: [...fixtureReport().agreement, harmAgreement()] });
    const html = await renderHtmlReport(report, EMPTY_EXAMPLES, { lang: "en" });
    const safety = figureSvg(html, "icc-by-group-jmedethic-safety");
    const harm = figureSvg(html, "icc-by-group-medsafetybench-harm");
    expect(texts(safety)).toContain("language: ja");
    expect(texts(harm)).toContain("strategy: direct");
    expect(safety).not.toContain("direct");
    expect(harm).not.toContain("language: ja");
    for (const svg of [safety, harm]) {
      expect(svg).not.toContain("…");
      const axisLabels = [...svg.matchAll(/role-axis-label"[^>]*>((?:<text[^>]*>[^<]*<\/text>)*)/g)].map(
        (match) => match[1] ?? "",
      );
      expect(axisLabels.length).toBeGreaterThan(0);
      for (const labels of axisLabels) expect(labels).not.toContain("rotate(");
      expect(svg).not.toMatch(/\((?:jmedethic-safety|medsafetybench-harm)\)/);
      expectInside(svg);
    }
  });
});
