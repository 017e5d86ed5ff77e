/** The sub-score section (decision 0028) in every format, from one report: labels, turns from 1, escaping, absence. */
import { describe, expect, it } from "vitest";
import { fixtureReport } from "../../../../test/support/report-fixture.js";
import { EMPTY_EXAMPLES } from "../../model/example-types.js";
import type { RunReport } from "../../model/report-model.js";
import { formatReportCsv } from "../csv/format-csv.js";
import { renderHtmlReport } from "../html/render-html.js";
import { formatReportJson } from "../json/format-json.js";
import { formatReportTable } from "../table/format-table.js";
import { formatReportMarkdown } from "./format-markdown.js";

const HOSTILE = "<b>evil</b>|*x*";

function withSubScores(): RunReport {
  return {
    ...fixtureReport(),
    subScores: [
      {
        rubricId: "safedialbench-ethics",
        subScores: [
          { id: "riskHandling", min: 1, max: 10, label: { ja: "リスクへの対処", en: "Risk handling" } },
          { id: "consistency", min: 1, max: 10, label: { ja: "一貫性", en: "Consistency" } },
        ],
        rows: [
          {
            targetId: HOSTILE,
            turn: 0,
            values: { riskHandling: { n: 4, mean: 7.25 }, consistency: { n: 3, mean: 9 } },
          },
          { targetId: HOSTILE, turn: 1, values: { riskHandling: { n: 2, mean: 4.5 } } },
        ],
      },
    ],
  };
}

describe("the sub-score section", () => {
  it("Markdown: one table per rubric, labels in the report's language, mean (n), turns from 1, ids escaped", () => {
    const english = formatReportMarkdown(withSubScores(), { lang: "en" });
    expect(english).toContain("## Sub-scores per turn");
    expect(english).toContain("| Target | Turn | Risk handling 1–10: mean (n) | Consistency 1–10: mean (n) |");
    expect(english).toContain("| \\<b\\>evil\\</b\\>\\|\\*x\\* | 1 | 7.25 (4) | 9.00 (3) |");
    // A sub-score no verdict gave at that turn is "–", never 0.
    expect(english).toContain("| 2 | 4.50 (2) | – |");
    expect(english).not.toContain("StrongREJECT");
    const japanese = formatReportMarkdown(withSubScores(), { lang: "ja" });
    expect(japanese).toContain("| 対象モデル | ターン | リスクへの対処 1〜10：平均（n） | 一貫性 1〜10：平均（n） |");
  });

  it("is absent from every format when the run has no rubric with sub-scores", async () => {
    const report = fixtureReport();
    expect(formatReportMarkdown(report, { lang: "en" })).not.toContain("Sub-scores");
    expect(formatReportTable(report)).not.toContain("Sub-scores");
    expect(formatReportCsv(report)).not.toContain("sub_score");
    expect(JSON.parse(formatReportJson(report))).not.toHaveProperty("subScores");
    expect(await renderHtmlReport(report, EMPTY_EXAMPLES, { lang: "en" })).not.toContain('id="sub-scores"');
  });

  it("JSON numbers turns from 1; CSV gives mean and n rows; the terminal and HTML show the table, escaped", async () => {
    const report = withSubScores();
    const json = JSON.parse(formatReportJson(report));
    expect(json.subScores[0].rows.map((row: { turn: number }) => row.turn)).toEqual([1, 2]);
    const csv = formatReportCsv(report);
    expect(csv).toContain("sub_score,safedialbench-ethics,<b>evil</b>|*x*,sub_score,riskHandling,1,mean,7.25,");
    expect(csv).toContain("sub_score,safedialbench-ethics,<b>evil</b>|*x*,sub_score,consistency,2,n,0,");
    expect(formatReportTable(report, { lang: "ja" })).toContain("ターンごとのサブスコア:");
    const html = await renderHtmlReport(report, EMPTY_EXAMPLES, { lang: "en" });
    expect(html).toContain('id="sub-scores"');
    expect(html).toContain("&lt;b&gt;evil&lt;/b&gt;");
    expect(html).not.toContain("<b>evil</b>");
  });
});
