import { describe, expect, it } from "vitest";
import { fixtureReport } from "../../../../test/support/report-fixture.js";
import { TERMINAL_MESSAGES } from "../../messages/terminal.js";
import { formatReportTable } from "./format-table.js";

/** The `{name}` placeholders of a message, sorted. */
function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? "").sort();
}

/** Words of the English terminal report that a Japanese one must not print (ids and statistic names aside). */
const ENGLISH_WORDS = [
  "Content warning",
  "target",
  "status:",
  "Rubrics:",
  "Calls:",
  "Multi-turn safety",
  "turn decline",
  "pass rate",
  "unscored",
  "errors",
  "judge pair",
  "mean of judges",
  "Leaderboard",
  "Judge agreement",
  "scored",
];

describe("formatReportTable", () => {
  const report = fixtureReport();

  it("English: the headings and columns of the terminal report", () => {
    const text = formatReportTable(report);
    expect(formatReportTable(report, { lang: "en" })).toBe(text);
    expect(text.startsWith(report.contentWarning)).toBe(true);
    for (const words of ["Multi-turn safety (0-10", "turn 1 mean / median", "pass rate (> ", "Judge agreement:"])
      expect(text).toContain(words);
  });

  it("Japanese: every heading and column from the ja column of the message table, ids and numbers as in English", () => {
    const en = formatReportTable(report, { lang: "en" });
    const ja = formatReportTable(report, { lang: "ja" });
    expect(ja.startsWith("閲覧注意")).toBe(true);
    for (const words of ["多ターン安全性", "ターン 1 平均 / 中央値", "合格率", "評価者間の一致", "対象モデル"])
      expect(ja).toContain(words);
    for (const word of ENGLISH_WORDS) expect(ja, word).not.toContain(word);
    // The same values: every number printed in English is printed in Japanese too.
    const numbers = (text: string): string[] => (text.match(/\d+(\.\d+)?%?/g) ?? []).sort();
    expect(numbers(ja)).toEqual(numbers(en));
    for (const target of report.targets) expect(ja).toContain(target.targetId);
  });

  it("costs in both languages: by role, target and judge, per conversation; unpriced calls never printed as $0", () => {
    const en = formatReportTable(report, { lang: "en" });
    const ja = formatReportTable(report, { lang: "ja" });
    expect(en).toContain("Costs:");
    expect(en).toMatch(/│ Judge: judge-b +│ 12 +│ \$0\.006 \+ unpriced \(6 calls\) +│/);
    expect(en).toMatch(/│ Attacker +│ 0 +│ no calls +│/);
    expect(en).toMatch(/│ safe +│ 2 +│ 2 +│ 0 +│ \$0\.014 +│ \$0\.014 +│ \$0\.0152 +│ \$0\.0155 +│ \$0\.028 +│/);
    expect(ja).toContain("費用:");
    expect(ja).toMatch(/│ 評価者: judge-b +│ 12 +│ \$0\.006 ＋ 価格なし（6 回） +│/);
    expect(ja).toContain("会話あたり:");
    for (const text of [en, ja]) expect(text).not.toMatch(/\$0(?![.\d])/);
  });

  it("every message has both languages and the same placeholders in each", () => {
    for (const [key, [en, ja]] of Object.entries(TERMINAL_MESSAGES)) {
      expect(en.trim(), key).not.toBe("");
      expect(ja.trim(), key).not.toBe("");
      expect(placeholders(ja), key).toEqual(placeholders(en));
    }
  });
});
