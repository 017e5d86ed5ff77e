import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FixtureServer, startFixtureServer } from "../../src/testing/index.js";
import { runInProcess } from "../support/in-process-cli.js";
import { printedRunId, tempProject, writeJsonl } from "./cli-harness.js";
import { SCENARIO_ITEMS, scenarioConfig, scenarioHandler } from "./scenario.js";

type Row = Record<"section" | "rubric" | "target" | "dimension" | "group" | "turn" | "metric" | "value", string>;

/** The JSON report's fields used here (the test reads them back from `report --format json`). */
interface JsonReport {
  run: { id: string; createdAt: string; finishedAt: string | null; configHash: string; datasetSource: string };
  passThreshold: number;
  targets: Array<{
    targetId: string;
    safetyPassRate: number | null;
    conversations: number;
    turns: Array<{ turn: number; mean: number | null; scored: number; errors: number }>;
  }>;
  multiTurn: null | {
    groups: Array<{
      targetId: string | null;
      dimension: string;
      group: string;
      conversationScore: { mean: number | null };
    }>;
  };
  judges: Array<{ judgeId: string; rubricId: string; mean: number | null }>;
  agreement: Array<{ rubricId: string; icc21: number | null; krippendorffAlpha: number | null }>;
}

function rowValue(rows: readonly Row[], where: Partial<Row>): number | null {
  const matches = rows.filter((row) => Object.entries(where).every(([key, value]) => row[key as keyof Row] === value));
  expect(matches, JSON.stringify(where)).toHaveLength(1);
  const cell = matches[0]?.value ?? "";
  return cell === "" ? null : Number(cell);
}

/** Run ids, times, the config hash (it holds the fixture server's port) and the temp folder replaced by placeholders. */
function masked(markdown: string, reports: readonly JsonReport[]): string {
  let text = markdown;
  reports.forEach((report, index) => {
    const { run } = report;
    const replacements: Array<[string, string]> = [
      [run.id, `<run-${index + 1}>`],
      [run.createdAt, `<created-${index + 1}>`],
      [run.configHash.slice(0, 12), `<config-hash-${index + 1}>`],
      [run.datasetSource, "<dataset>"],
    ];
    if (run.finishedAt !== null) replacements.push([run.finishedAt, `<finished-${index + 1}>`]);
    for (const [from, to] of replacements) text = text.split(from).join(to);
  });
  return text;
}

describe("report --format csv | md, --compare (e2e, fixture server)", () => {
  let server: FixtureServer;
  let project: string;
  let runIds: string[];
  let reports: JsonReport[];

  async function cli(args: readonly string[]): Promise<string> {
    const result = await runInProcess([...args, "--store", "store.db"], { cwd: project });
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  }

  beforeAll(async () => {
    server = await startFixtureServer({ handler: scenarioHandler, record: false });
    project = tempProject("medsafety-formats-");
    writeJsonl(join(project, "bench.jsonl"), SCENARIO_ITEMS);
    writeFileSync(join(project, "medsafety.config.yaml"), scenarioConfig(server.openaiBaseURL));
    writeFileSync(join(project, "strict.config.yaml"), scenarioConfig(server.openaiBaseURL, "passThreshold: 5\n"));
    runIds = [];
    // The same scenario twice (the second from the response cache: the same scores), then with a stricter threshold.
    for (const config of ["medsafety.config.yaml", "medsafety.config.yaml", "strict.config.yaml"]) {
      const result = await runInProcess(["run", "-c", config, "--no-progress"], { cwd: project });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      runIds.push(printedRunId(result.stdout));
    }
    reports = await Promise.all(
      runIds.map(async (id) => JSON.parse(await cli(["report", "--run", id, "--format", "json"])) as JsonReport),
    );
  });

  afterAll(async () => {
    await server.close();
  });

  it("csv --out: a file csv-parse reads, whose values are the JSON report's", async () => {
    const [, stdout] = await Promise.all([
      cli(["report", "--run", runIds[0] ?? "", "--format", "csv", "--out", "report.csv"]),
      cli(["report", "--run", runIds[0] ?? "", "--format", "csv"]),
    ]);
    const text = readFileSync(join(project, "report.csv"), "utf8");
    const rows = parse(text, { columns: true }) as Row[];
    expect(text.split("\n")[0]).toBe("section,rubric,target,dimension,group,turn,metric,value,note");
    expect(rows[0]).toMatchObject({ section: "meta", metric: "content_warning", value: "" });
    expect(rows[0]?.group).toMatch(/^Content warning/);
    const [json] = reports;
    if (json === undefined) throw new Error("no report");
    expect(rows.find((row) => row.metric === "run_id")?.group).toBe(json.run.id);
    for (const target of json.targets) {
      expect(rowValue(rows, { section: "target", target: target.targetId, metric: "safety_pass_rate" })).toBe(
        target.safetyPassRate,
      );
      for (const turn of target.turns) {
        const keys = { section: "target", target: target.targetId, turn: String(turn.turn) };
        expect(rowValue(rows, { ...keys, metric: "mean" })).toBe(turn.mean);
        expect(rowValue(rows, { ...keys, metric: "scored" })).toBe(turn.scored);
        expect(rowValue(rows, { ...keys, metric: "errors" })).toBe(turn.errors);
      }
    }
    // Hand-computed (run-report.test.ts): safe's third turn (turn 3: turns count from 1) has one error; weak passes 1 of 3 conversations.
    expect(json.targets.find((target) => target.targetId === "safe")?.turns.map((turn) => turn.turn)).toEqual([
      1, 2, 3,
    ]);
    expect(rowValue(rows, { section: "target", target: "safe", turn: "3", metric: "errors" })).toBe(1);
    expect(rowValue(rows, { section: "target", target: "weak", metric: "safety_pass_rate" })).toBeCloseTo(1 / 3, 12);
    for (const judge of json.judges)
      expect(rowValue(rows, { section: "judge", rubric: judge.rubricId, group: judge.judgeId, metric: "mean" })).toBe(
        judge.mean,
      );
    const [agreement] = json.agreement;
    expect(
      rowValue(rows, { section: "agreement", rubric: agreement?.rubricId ?? "", dimension: "all", metric: "icc21" }),
    ).toBe(agreement?.icc21);
    expect(
      rowValue(rows, {
        section: "agreement",
        rubric: agreement?.rubricId ?? "",
        dimension: "all",
        metric: "krippendorff_alpha",
      }),
    ).toBe(agreement?.krippendorffAlpha);
    expect(rowValue(rows, { section: "meta", metric: "multi_turn_available" })).toBe(json.multiTurn === null ? 0 : 1);
    for (const group of json.multiTurn?.groups ?? []) {
      expect(
        rowValue(rows, {
          section: "multi_turn",
          target: group.targetId ?? "",
          dimension: group.dimension,
          group: group.group,
          metric: "conversation_score_mean",
        }),
      ).toBe(group.conversationScore.mean);
    }
    for (const row of rows)
      if (row.value !== "") expect(Number.isFinite(Number(row.value)), JSON.stringify(row)).toBe(true);
    // Standard output carries the same table.
    expect(stdout).toBe(text);
  });

  it("md --lang en and --lang ja: the documents, run ids and times masked", async () => {
    const [en, ja] = await Promise.all(
      (["en", "ja"] as const).map((lang) =>
        cli(["report", "--run", runIds[0] ?? "", "--format", "md", "--lang", lang]),
      ),
    );
    if (en === undefined || ja === undefined) throw new Error("no output");
    expect(en).toContain("> **Content warning:**");
    expect(en).toMatch(/\| 1 \| safe \| 100\.0%.* \| 2 \/ 2 \|/);
    expect(en).toMatch(/\| 2 \| weak \| 33\.3%.* \| 1 \/ 3 \|/);
    expect(ja).toContain("> **注意:**");
    expect(ja).toContain("## リーダーボード");
    await expect(masked(en, reports)).toMatchFileSnapshot("./__snapshots__/report-formats.en.md");
    await expect(masked(ja, reports)).toMatchFileSnapshot("./__snapshots__/report-formats.ja.md");
  });

  it("--compare: the same scenario again gives deltas of 0; a stricter threshold lowers the pass rate, not the means", async () => {
    const [base, same, strict] = runIds;
    const compare = ["report", "--run", base ?? "", "--compare", same ?? "", strict ?? "", "--format"];
    const [jsonText, csvText, markdown] = await Promise.all([
      cli([...compare, "json"]),
      cli([...compare, "csv"]),
      cli([...compare, "md", "--lang", "en"]),
    ]);
    if (jsonText === undefined || csvText === undefined || markdown === undefined) throw new Error("no output");
    const json = JSON.parse(jsonText) as {
      comparison: {
        baseRunId: string;
        method: string;
        runs: Array<{ runId: string; passThreshold: number }>;
        deltas: Array<{
          targetId: string;
          comparedRunId: string;
          samePassThreshold: boolean;
          overallMean: { delta: number | null };
          safetyPassRate: { base: number; compared: number; delta: number | null };
        }>;
      };
    };
    const { comparison } = json;
    expect(comparison.baseRunId).toBe(base);
    expect(comparison.method).toBe("descriptive");
    expect(comparison.runs.map((run) => [run.runId, run.passThreshold])).toEqual([
      [base, 2],
      [same, 2],
      [strict, 5],
    ]);
    expect(comparison.deltas.map((delta) => [delta.targetId, delta.comparedRunId])).toEqual([
      ["safe", same],
      ["weak", same],
      ["safe", strict],
      ["weak", strict],
    ]);
    for (const delta of comparison.deltas.filter((row) => row.comparedRunId === same)) {
      expect(delta.overallMean.delta).toBe(0);
      expect(delta.safetyPassRate.delta).toBe(0);
    }
    // Threshold 5: safe still passes (lowest complete-conversation turn 6.5); weak's turn 1 scores (3, 3, 5) all fail.
    const strictDeltas = comparison.deltas.filter((row) => row.comparedRunId === strict);
    expect(strictDeltas.map((row) => row.samePassThreshold)).toEqual([false, false]);
    expect(strictDeltas.map((row) => row.overallMean.delta)).toEqual([0, 0]);
    expect(strictDeltas[0]?.safetyPassRate.delta).toBe(0);
    expect(strictDeltas[1]?.safetyPassRate.compared).toBe(0);
    expect(strictDeltas[1]?.safetyPassRate.delta).toBeCloseTo(-1 / 3, 12);

    const csv = parse(csvText, { columns: true }) as Row[];
    expect(
      rowValue(csv, {
        section: "run_comparison",
        dimension: "delta",
        target: "weak",
        group: strict ?? "",
        metric: "safety_pass_rate_delta",
      }),
    ).toBeCloseTo(-1 / 3, 12);
    expect(
      rowValue(csv, {
        section: "run_comparison",
        dimension: "delta",
        target: "safe",
        group: same ?? "",
        metric: "overall_mean_delta",
      }),
    ).toBe(0);
    expect(
      rowValue(csv, {
        section: "run_comparison",
        dimension: "run",
        target: "weak",
        group: strict ?? "",
        metric: "safety_pass_rate",
      }),
    ).toBe(0);

    expect(markdown).toContain("## Comparison with other runs");
    expect(markdown).toMatch(/\| weak \| R3 \| 0\.00 \| -33\.3 pp \|/);
    const comparisonPart = markdown.slice(markdown.indexOf("## Comparison with other runs"));
    await expect(masked(comparisonPart, reports)).toMatchFileSnapshot("./__snapshots__/report-formats.compare.en.md");
  });
});
