import { describe, expect, it } from "vitest";
import { fixtureReport, fixtureReportWithoutMultiTurn } from "../../../../test/support/report-fixture.js";
import { compareRuns } from "../../build/compare-runs.js";
import { MARKDOWN_MESSAGES } from "../../messages/markdown.js";
import { formatP, formatReportMarkdown } from "./format-markdown.js";

/** Cells of a table line, split on pipes that are not escaped. */
function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split(/(?<!\\)\|/);
}

/** Every table: each row has as many cells as its header (no id or label broke a table). */
function expectWellFormedTables(markdown: string): void {
  const blocks = markdown
    .trimEnd()
    .split("\n\n")
    .filter((block) => block.startsWith("| "));
  expect(blocks.length).toBeGreaterThan(5);
  for (const block of blocks) {
    const [head, rule, ...rows] = block.split("\n");
    expect(rule, block).toMatch(/^\|( ---:? \|)+$/);
    const width = cells(head ?? "").length;
    expect(cells(rule ?? "")).toHaveLength(width);
    for (const row of rows) expect(cells(row), `${row}\nin\n${block}`).toHaveLength(width);
  }
}

describe("formatReportMarkdown", () => {
  const report = fixtureReport();
  const withComparison = {
    ...report,
    comparison: compareRuns(report, [{ ...fixtureReport(), run: { ...report.run, id: "20260102-000000-bbbbbb" } }]),
  };

  it("English: matches the snapshot", async () => {
    await expect(formatReportMarkdown(withComparison, { lang: "en" })).toMatchFileSnapshot(
      "./__snapshots__/format-markdown.en.md",
    );
  });

  it("Japanese: matches the snapshot", async () => {
    await expect(formatReportMarkdown(withComparison, { lang: "ja" })).toMatchFileSnapshot(
      "./__snapshots__/format-markdown.ja.md",
    );
  });

  it("without the grouped section: matches the snapshot and says the statistics are absent", async () => {
    const markdown = formatReportMarkdown(fixtureReportWithoutMultiTurn(), { lang: "en" });
    expect(markdown).toContain(MARKDOWN_MESSAGES.en.groupsAbsent);
    expect(markdown).toContain(MARKDOWN_MESSAGES.en.noCiNote);
    await expect(markdown).toMatchFileSnapshot("./__snapshots__/format-markdown.no-multi-turn.en.md");
  });

  it("escapes ids: tables stay well formed", () => {
    for (const markdown of [
      formatReportMarkdown(withComparison, { lang: "en" }),
      formatReportMarkdown(withComparison, { lang: "ja" }),
      formatReportMarkdown(fixtureReportWithoutMultiTurn(), { lang: "ja" }),
    ]) {
      expectWellFormedTables(markdown);
      expect(markdown).toContain('weak, "quoted"<br>model\\|x');
    }
  });

  it("costs: unpriced calls say so in both languages, dollar signs escaped, never $0 for what has no price", () => {
    const en = formatReportMarkdown(report, { lang: "en" });
    const ja = formatReportMarkdown(report, { lang: "ja" });
    expect(en).toContain("| judge-b | 12 | \\$0.006 + unpriced (6 calls) | 3600 | 0 | 0 | 60 | 0 |");
    expect(en).toContain("| Attacker | 0 | no calls | 0 | 0 | 0 | 0 | 0 |");
    expect(en).toContain("| safe | 2 | 2 | 0 | \\$0.014 | \\$0.014 | \\$0.0152 | \\$0.0155 | \\$0.028 |");
    expect(en).toContain('| weak, "quoted"<br>model\\|x | 3 | 0 | 3 | – | – | – | – | – |');
    expect(ja).toContain("## 費用");
    expect(ja).toContain("| judge-b | 12 | \\$0.006 ＋ 価格なし（6 回） |");
    for (const markdown of [en, ja]) expect(markdown).not.toMatch(/(?<!\\)\$/);
  });

  it("the content warning first, as a blockquote, in the chosen language", () => {
    const en = formatReportMarkdown(report, { lang: "en" }).split("\n\n");
    expect(en[1]).toBe("> **Content warning:** Content warning: fixture.");
    const ja = formatReportMarkdown(report, { lang: "ja" }).split("\n\n");
    expect(ja[1]).toBe(`> **注意:** ${MARKDOWN_MESSAGES.ja.contentWarning}`);
  });

  it("leaderboard: ranked by Safety Pass Rate with CIs, overall mean with CI", () => {
    const markdown = formatReportMarkdown(report, { lang: "en" });
    expect(markdown).toContain("| 1 | safe | 100.0% [100.0%, 100.0%] | 2 / 2 | 8.90 [8.30, 9.50] | 3 | 5 | 0 | 1 |");
    expect(markdown).toContain(
      '| 2 | weak, "quoted"<br>model\\|x | 33.3% [0.0%, 100.0%] | 1 / 3 | 5.80 [3.60, 7.60] | 3 | 5 | 1 | 0 |',
    );
  });

  it("p-values: 3 decimals, scientific below 0.001", () => {
    expect(formatP(0.04)).toBe("0.040");
    expect(formatP(0.001)).toBe("0.001");
    expect(formatP(0.0000123)).toBe("1.23e-5");
    expect(formatP(null)).toBe("–");
    expect(formatReportMarkdown(report, { lang: "en" })).toContain("| 1.23e-5 | 1.23e-5 |");
  });

  it("tiny p-values are printed as such, never as 0 (issue 12, item 19)", () => {
    expect(formatP(7.175095973164411e-66)).toBe("7.18e-66");
    expect(formatP(2.4e-116)).toBe("2.40e-116");
    expect(formatP(1e-300)).toBe("1.00e-300");
    expect(formatP(4e-310)).toBe("< 1e-300");
    expect(formatP(0)).toBe("< 1e-300");
    const [first, ...rest] = report.targets;
    const strong = {
      ...report,
      targets: [
        {
          ...first!,
          turnTests: {
            ...first!.turnTests,
            friedman: { statistic: 300, degreesOfFreedom: 2, pValue: 7.175095973164411e-66, n: 150 },
          },
        },
        ...rest,
      ],
    };
    expect(formatReportMarkdown(strong, { lang: "en" })).toContain("p = 7.18e-66");
    const underflow = {
      ...strong,
      targets: [
        {
          ...first!,
          turnTests: { ...first!.turnTests, friedman: { statistic: 1500, degreesOfFreedom: 2, pValue: 0, n: 750 } },
        },
        ...rest,
      ],
    };
    expect(formatReportMarkdown(underflow, { lang: "en" })).toContain("p < 1e-300");
  });

  it("an empty report does not fail and says there is no data", () => {
    const empty = {
      ...fixtureReportWithoutMultiTurn(),
      targets: [],
      judges: [],
      judgePairs: [],
      scales: [],
      tradeoff: [],
      agreement: [],
    };
    const markdown = formatReportMarkdown(empty, { lang: "en" });
    expect(markdown).toContain(MARKDOWN_MESSAGES.en.noMultiTurn);
    expect(markdown.match(/No data\./g)?.length).toBeGreaterThanOrEqual(4);
  });
});
