import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import {
  fixtureReport,
  fixtureReportWithoutMultiTurn,
  TRICKY_TARGET,
} from "../../../../test/support/report-fixture.js";
import { compareRuns } from "../../build/compare-runs.js";
import { notAvailableOf } from "../../build/not-available.js";
import type { RunReport } from "../../model/report-model.js";
import { CSV_COLUMNS, formatReportCsv } from "./format-csv.js";

type Row = Record<(typeof CSV_COLUMNS)[number], string>;

function rowsOf(csv: string): Row[] {
  return parse(csv, { columns: true, bom: true }) as Row[];
}

function find(rows: readonly Row[], where: Partial<Row>): Row[] {
  return rows.filter((row) => Object.entries(where).every(([key, value]) => row[key as keyof Row] === value));
}

/** The one value at these keys (fails when there are none or several). */
function value(rows: readonly Row[], where: Partial<Row>): string {
  const matches = find(rows, where);
  expect(matches, JSON.stringify(where)).toHaveLength(1);
  return matches[0]?.value ?? "";
}

describe("formatReportCsv", () => {
  const csv = formatReportCsv(fixtureReport());
  const rows = rowsOf(csv);

  it("starts with the header alone, then the content warning as a meta row", () => {
    expect(csv.split("\n")[0]).toBe(CSV_COLUMNS.join(","));
    expect(csv.startsWith("\uFEFF")).toBe(false);
    expect(rows[0]).toEqual({
      section: "meta",
      rubric: "",
      target: "",
      dimension: "",
      group: "Content warning: fixture.",
      turn: "",
      metric: "content_warning",
      value: "",
      note: "",
    });
    expect(value(rows, { section: "meta", metric: "run_id" })).toBe("");
    expect(find(rows, { section: "meta", metric: "run_id" })[0]?.group).toBe("20260101-000000-abcdef");
    expect(value(rows, { section: "meta", metric: "pass_threshold" })).toBe("2");
    expect(value(rows, { section: "meta", metric: "multi_turn_available" })).toBe("1");
    expect(value(rows, { section: "meta", metric: "bootstrap_resamples" })).toBe("2000");
    expect(value(rows, { section: "meta", rubric: "medsafetybench-harm", metric: "flag_at_or_above" })).toBe("3");
  });

  it("every value is empty or a finite number; every row has the nine columns; a note only beside an empty value", () => {
    for (const row of rows) {
      expect(Object.keys(row)).toEqual([...CSV_COLUMNS]);
      if (row.note !== "" && !row.note.startsWith("partial: ")) expect(row.value, JSON.stringify(row)).toBe("");
      if (row.value !== "") expect(Number.isFinite(Number(row.value)), JSON.stringify(row)).toBe(true);
      if (row.turn !== "") expect(Number.isInteger(Number(row.turn))).toBe(true);
    }
  });

  it("costs: by role, target and judge; unpriced as an empty value with its note, partial totals say so", () => {
    expect(value(rows, { section: "cost", dimension: "all", metric: "cost_usd" })).toBe("0.0394");
    expect(find(rows, { section: "cost", dimension: "all", metric: "cost_usd" })[0]?.note).toBe(
      "partial: 8 calls unpriced",
    );
    expect(value(rows, { section: "cost", dimension: "role", group: "judge", metric: "batched_calls" })).toBe("12");
    expect(value(rows, { section: "cost", dimension: "role", group: "attacker", metric: "calls" })).toBe("0");
    expect(value(rows, { section: "cost", dimension: "role", group: "attacker", metric: "cost_usd" })).toBe("");
    expect(value(rows, { section: "cost", dimension: "target", target: "safe", metric: "cost_usd" })).toBe("0.012");
    expect(find(rows, { section: "cost", dimension: "target", target: "safe", metric: "cost_usd" })[0]?.note).toBe("");
    expect(value(rows, { section: "cost", dimension: "target", target: TRICKY_TARGET, metric: "unpriced_calls" })).toBe(
      "2",
    );
    expect(value(rows, { section: "cost", dimension: "judge", group: "judge-a", metric: "cached_input_tokens" })).toBe(
      "2400",
    );
    expect(value(rows, { section: "conversation_cost", target: "safe", metric: "p90_usd" })).toBe("0.0152");
    expect(value(rows, { section: "conversation_cost", target: TRICKY_TARGET, metric: "mean_usd" })).toBe("");
    expect(value(rows, { section: "conversation_cost", target: TRICKY_TARGET, metric: "unpriced_conversations" })).toBe(
      "3",
    );
    // Every conversation, one row per number: item-c of the tricky target has no priced call.
    const itemC = { section: "conversation", target: TRICKY_TARGET, group: "item-c" };
    expect(value(rows, { ...itemC, metric: "cost_usd" })).toBe("");
    expect(find(rows, { ...itemC, metric: "cost_usd" })[0]?.note).toBe("unpriced (6 calls)");
    expect(value(rows, { section: "conversation", target: "safe", group: "item-b", metric: "cost_usd" })).toBe(
      "0.0155",
    );
    expect(find(rows, { section: "conversation" })).toHaveLength(5);
  });

  it("round-trips ids with commas, quotes, line breaks and Japanese (RFC 4180 quoting)", () => {
    expect(csv).toContain('"weak, ""quoted""\nmodel|x"');
    expect(value(rows, { section: "target", target: TRICKY_TARGET, metric: "safety_pass_rate" })).toBe(String(1 / 3));
    expect(
      value(rows, {
        section: "multi_turn",
        target: TRICKY_TARGET,
        dimension: "strategy",
        group: "権威付け",
        metric: "conversation_score_mean",
      }),
    ).toBe("5");
  });

  it("targets: per-target and per-turn numbers", () => {
    // Turns are numbered from 1 (the model's turn index 1 is turn 2), as in the JSON report.
    expect(value(rows, { section: "target", target: "safe", turn: "2", metric: "mean" })).toBe("8");
    expect(value(rows, { section: "target", target: "safe", turn: "2", metric: "errors" })).toBe("1");
    expect(find(rows, { turn: "0" })).toHaveLength(0);
    expect(value(rows, { section: "target", target: "safe", metric: "complete_conversations" })).toBe("2");
    expect(value(rows, { section: "target", target: "safe", metric: "judgments_unscored" })).toBe("1");
    expect(find(rows, { section: "target", target: "safe", metric: "mean" })).toHaveLength(2);
  });

  it("turn tests: Bonferroni p per turn pair, empty where a test was not computable, Friedman", () => {
    expect(
      value(rows, { section: "turn_test", target: "safe", group: "1→2", metric: "mann_whitney_p_bonferroni" }),
    ).toBe("0.04");
    expect(value(rows, { section: "turn_test", target: "safe", group: "1→2", metric: "cohens_d" })).toBe("1.25");
    expect(
      value(rows, { section: "turn_test", target: TRICKY_TARGET, group: "1→2", metric: "mann_whitney_p_bonferroni" }),
    ).toBe("");
    expect(value(rows, { section: "turn_test", target: TRICKY_TARGET, group: "all", metric: "friedman_p" })).toBe(
      "0.1353",
    );
    expect(find(rows, { section: "turn_test", target: "safe", metric: "friedman_p" })).toHaveLength(0);
  });

  it("grouped section: distributions, per-turn decline, pass rate with CI, survival, pooled categories", () => {
    const all = { section: "multi_turn", target: "safe", dimension: "all", group: "all" };
    expect(value(rows, { ...all, metric: "conversation_score_ci_low" })).toBe("8.5");
    expect(value(rows, { ...all, metric: "all_turns_iqr" })).toBe("1.5");
    expect(value(rows, { ...all, metric: "safety_pass_rate_ci_high" })).toBe("1");
    expect(value(rows, { ...all, turn: "2", metric: "decline_mean" })).toBe("-1.5");
    expect(value(rows, { ...all, turn: "1", metric: "decline_mean" })).toBe("");
    expect(value(rows, { ...all, turn: "2", metric: "q3" })).toBe("8");
    expect(
      value(rows, { section: "survival", target: TRICKY_TARGET, dimension: "all", turn: "2", metric: "survival" }),
    ).toBe(String(1 / 3));
    expect(
      value(rows, {
        section: "multi_turn",
        target: "",
        dimension: "category",
        group: "general",
        metric: "safety_pass_rate",
      }),
    ).toBe("0.6");
    expect(
      value(rows, { section: "multi_turn", target: "safe", group: "decomposition", metric: "safety_pass_rate" }),
    ).toBe("");
  });

  it("comparisons (Holm), fine-tunes, cross-lingual", () => {
    expect(value(rows, { section: "comparison", dimension: "target", group: "all", metric: "kruskal_wallis_p" })).toBe(
      "0.0495",
    );
    expect(
      value(rows, {
        section: "comparison",
        dimension: "target",
        group: `safe vs ${TRICKY_TARGET}`,
        metric: "mann_whitney_p_holm",
      }),
    ).toBe("0.0000123");
    expect(
      value(rows, { section: "fine_tune", target: "safe", group: TRICKY_TARGET, metric: "mean_delta_ci_high" }),
    ).toBe("4.25");
    expect(value(rows, { section: "cross_lingual", target: "safe", metric: "mean_delta_mean" })).toBe("-0.25");
    expect(value(rows, { section: "cross_lingual", target: "safe", metric: "wilcoxon_p" })).toBe("");
    expect(value(rows, { section: "cross_lingual", dimension: "ranking", metric: "ranking_spearman_n" })).toBe("2");
  });

  it("judges, judge pairs, agreement overall, by group, pairs and largest disagreements", () => {
    expect(value(rows, { section: "judge", group: "judge-b", metric: "unscored" })).toBe("1");
    expect(
      value(rows, { section: "judge_pair", group: "judge-a vs judge-b", metric: "mean_absolute_difference" }),
    ).toBe("1");
    expect(value(rows, { section: "agreement", rubric: "jmedethic-safety", dimension: "all", metric: "icc21" })).toBe(
      "0.9444",
    );
    expect(value(rows, { section: "agreement", dimension: "language", group: "ja", metric: "icc21" })).toBe("0.8");
    expect(
      value(rows, { section: "agreement", dimension: "language", group: "ja", metric: "krippendorff_alpha" }),
    ).toBe("");
    expect(value(rows, { section: "agreement", dimension: "pair", metric: "weighted_kappa" })).toBe("0.9");
    expect(
      value(rows, {
        section: "disagreement",
        target: TRICKY_TARGET,
        group: "item-c",
        turn: "2",
        metric: "score_judge-b",
      }),
    ).toBe("1");
  });

  it("a statistic not available: empty value, the reason in the note column (issue 12, item 2)", () => {
    const report = fixtureReport();
    const [entry] = report.agreement;
    if (entry === undefined) throw new Error("no agreement in the fixture");
    const withReasons = {
      ...report,
      agreement: [
        {
          ...entry,
          icc21: -0.4,
          meanReliability: null,
          notAvailable: { meanReliability: notAvailableOf("negative-reliability") },
          pairs: entry.pairs.map((pair) => ({
            ...pair,
            kappa: null,
            notAvailable: { kappa: notAvailableOf("off-scale") },
          })),
        },
      ],
    };
    const noted = rowsOf(formatReportCsv(withReasons));
    const reliability = find(noted, { section: "agreement", dimension: "all", metric: "mean_reliability" })[0];
    expect(reliability).toMatchObject({
      value: "",
      note: `not available (negative-reliability): ${notAvailableOf("negative-reliability").reason}`,
    });
    expect(reliability?.note).toContain("ICC(2,1) is negative");
    expect(find(noted, { section: "agreement", dimension: "pair", metric: "weighted_kappa" })[0]).toMatchObject({
      value: "",
      note: expect.stringMatching(/^not available \(off-scale\): /),
    });
    expect(find(noted, { section: "agreement", dimension: "all", metric: "icc21" })[0]).toMatchObject({
      value: "-0.4",
      note: "",
    });
    // A null without a reason in the report (the fixture's group alpha) stays a plain empty cell.
    expect(
      find(noted, { section: "agreement", dimension: "language", group: "ja", metric: "krippendorff_alpha" })[0],
    ).toMatchObject({ value: "", note: "" });
  });

  it("scales per target, by source, by guideline, labels, medical vs general; tradeoff", () => {
    const scale = { section: "scale", rubric: "medsafetybench-harm", target: TRICKY_TARGET };
    expect(value(rows, { ...scale, dimension: "all", metric: "sem" })).toBe("0.25");
    expect(value(rows, { ...scale, dimension: "source", group: "gpt4", metric: "flagged_share" })).toBe("1");
    expect(value(rows, { ...scale, dimension: "guideline", group: "ama-1", metric: "mean" })).toBe("4");
    expect(value(rows, { ...scale, dimension: "label", group: "refuse", metric: "label_share" })).toBe("0.25");
    expect(value(rows, { section: "scale_comparison", target: "safe", metric: "mann_whitney_p_bonferroni" })).toBe(
      "0.0286",
    );
    expect(value(rows, { section: "tradeoff", target: "safe", group: "en", metric: "over_refusal" })).toBe("0.5");
    expect(value(rows, { section: "tradeoff", target: TRICKY_TARGET, group: "en", metric: "refused_label" })).toBe("");
  });

  it("without the grouped section: says so, has no grouped rows and does not fail", () => {
    const plain = rowsOf(formatReportCsv(fixtureReportWithoutMultiTurn()));
    expect(value(plain, { section: "meta", metric: "multi_turn_available" })).toBe("0");
    for (const section of ["multi_turn", "survival", "comparison", "fine_tune", "cross_lingual", "disagreement"])
      expect(find(plain, { section })).toHaveLength(0);
    expect(find(plain, { section: "meta", metric: "bootstrap_seed" })).toHaveLength(0);
    expect(value(plain, { section: "target", target: "safe", turn: "1", metric: "mean" })).toBe("9.5");
  });

  it("the comparison section: each run's leaderboard and the deltas", () => {
    const other = fixtureReport();
    const compared = {
      ...other,
      run: { ...other.run, id: "run-2" },
      targets: other.targets.map((target) => ({ ...target, safetyPassRate: 0.5 })),
    };
    const report = fixtureReport();
    const withComparison = rowsOf(formatReportCsv({ ...report, comparison: compareRuns(report, [compared]) }));
    const comparison = { section: "run_comparison" };
    expect(
      value(withComparison, { ...comparison, dimension: "run", group: "run-2", target: "", metric: "is_base" }),
    ).toBe("0");
    expect(
      value(withComparison, {
        ...comparison,
        dimension: "run",
        group: "20260101-000000-abcdef",
        target: "safe",
        metric: "overall_mean",
      }),
    ).toBe("8.9");
    expect(
      value(withComparison, {
        ...comparison,
        dimension: "delta",
        group: "run-2",
        target: "safe",
        metric: "safety_pass_rate_delta",
      }),
    ).toBe("-0.5");
    expect(
      value(withComparison, {
        ...comparison,
        dimension: "delta",
        group: "run-2",
        target: TRICKY_TARGET,
        metric: "overall_mean_delta",
      }),
    ).toBe("0");
  });

  it("formula injection: text cells from data that start with =, +, -, @ get a leading ' (numbers stay numbers)", () => {
    const hyperlink = '=HYPERLINK("http://evil.example","click")';
    const command = "=cmd|' /C calc'!A0";
    const hostile = JSON.parse(
      JSON.stringify(fixtureReport())
        .replaceAll('"権威付け"', JSON.stringify(hyperlink))
        .replaceAll('"safe"', JSON.stringify("@SUM(1+1)"))
        .replaceAll('"general"', JSON.stringify(command))
        .replaceAll('"judge-b"', JSON.stringify("-2+3")),
    ) as RunReport;
    const text = formatReportCsv(hostile);
    const hostileRows = rowsOf(text);
    for (const row of hostileRows) {
      for (const [column, cell] of Object.entries(row)) {
        if (column !== "value" && column !== "turn")
          expect(/^[=+\-@\t\r]/.test(cell), `${column} of ${JSON.stringify(row)}`).toBe(false);
      }
    }
    expect(
      find(hostileRows, { section: "multi_turn", dimension: "strategy", group: `'${hyperlink}` }).length,
    ).toBeGreaterThan(0);
    expect(
      value(hostileRows, {
        section: "multi_turn",
        target: "",
        dimension: "category",
        group: `'${command}`,
        metric: "safety_pass_rate",
      }),
    ).toBe("0.6");
    expect(value(hostileRows, { section: "judge", group: "'-2+3", metric: "unscored" })).toBe("1");
    // Negative numbers are numbers, written as such: `-1.5`, not `'-1.5`.
    expect(
      find(hostileRows, {
        section: "multi_turn",
        target: "'@SUM(1+1)",
        dimension: "all",
        group: "all",
        metric: "decline_mean",
      }).map((row) => row.value),
    ).toContain("-1.5");
    expect(hostileRows.filter((row) => row.value.startsWith("'") || row.turn.startsWith("'"))).toEqual([]);
  });

  it("with bom: a UTF-8 byte order mark first (for Excel), the same rows", () => {
    const withBom = formatReportCsv(fixtureReport(), { bom: true });
    expect(withBom.startsWith("\uFEFFsection,")).toBe(true);
    expect(rowsOf(withBom)).toEqual(rows);
  });
});
