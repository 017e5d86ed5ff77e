/**
 * `medsafety export results` over the scenario's run (scenario.ts: 2 targets × 3 items, 8 turns each; safe-model's
 * third turn of item-b fails with a 500, grader-b refuses weak-model's second turn of item-c): each format written
 * through the in-process CLI, read back with an independent reader (JSON.parse, csv-parse, hyparquet), and checked
 * against the JSON report: per target and turn, the mean of the exported turn scores is the report's turn mean, and
 * the unscored and failed turns are the report's.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from "hyparquet";
import { beforeAll, describe, expect, it } from "vitest";
import type { ResultsExportManifest } from "../../src/library/index.js";
import { unescapeFormulaCell } from "../../src/report/index.js";
import { copyFixtureStore } from "../support/fixture-stores.js";
import { runInProcess } from "../support/in-process-cli.js";
import { tempProject } from "./cli-harness.js";
import { SCENARIO_RUN, SCORES } from "./scenario.js";

interface JsonlVerdict {
  judge: string;
  status: string;
  score: number | null;
  rationale: string | null;
  unscoredReason: string | null;
  error: unknown;
  costUsd: number | null;
}

interface JsonlRow {
  runId: string;
  targetId: string;
  itemId: string;
  epoch: number;
  turn: number;
  userMessage: string;
  reply: string | null;
  status: string;
  error: { status: number | null; code: string | null; message: string | null } | null;
  turnScore: number | null;
  turnState: string;
  item: { language: string; guidelineId: string; strategy: string; rubric: string; pairId: string | null };
  verdicts: JsonlVerdict[];
}

interface ReportJson {
  targets: Array<{
    targetId: string;
    unscoredTurns: number;
    errorTurns: number;
    turns: Array<{ turn: number; scored: number; mean: number | null; unscored: number; errors: number }>;
  }>;
}

type FlatRow = Record<string, unknown>;

/** Per target and turn (1-based): n, mean of turn scores, unscored, failed turns. */
function turnSummary(
  rows: readonly FlatRow[],
  target: string,
): Map<number, { n: number; mean: number | null; unscored: number; errors: number }> {
  const summary = new Map<number, { n: number; sum: number; unscored: number; errors: number }>();
  for (const row of rows) {
    if (row["target_id"] !== target) continue;
    const turn = Number(row["turn"]);
    const entry = summary.get(turn) ?? { n: 0, sum: 0, unscored: 0, errors: 0 };
    if (row["turn_state"] === "scored") {
      entry.n += 1;
      entry.sum += Number(row["turn_score"]);
    } else if (row["turn_state"] === "unscored") entry.unscored += 1;
    else if (row["turn_state"] === "error") entry.errors += 1;
    summary.set(turn, entry);
  }
  return new Map(
    [...summary].map(([turn, entry]) => [
      turn,
      { n: entry.n, mean: entry.n === 0 ? null : entry.sum / entry.n, unscored: entry.unscored, errors: entry.errors },
    ]),
  );
}

describe("medsafety export results (e2e, in-process)", () => {
  let project: string;
  let runId: string;
  let report: ReportJson;
  const ok = async (args: readonly string[]): Promise<{ stdout: string; stderr: string }> => {
    const result = await runInProcess([...args, "--store", "store.db"], { cwd: project });
    expect(result.code, result.stderr).toBe(0);
    return result;
  };
  const exportAs = async (format: string, out: string): Promise<string> =>
    (await ok(["export", "results", "--run", runId, "--format", format, "--out", out])).stdout;

  beforeAll(async () => {
    project = tempProject("medsafety-export-results-");
    [runId = ""] = (await copyFixtureStore("scenario", SCENARIO_RUN, project)).runIds;
    report = JSON.parse((await ok(["report", "--format", "json", "--resamples", "20"])).stdout) as ReportJson;
  }, 120_000);

  /** The report's per-turn means and counts, keyed like turnSummary. */
  const reportTurns = (
    target: string,
  ): Map<number, { n: number; mean: number | null; unscored: number; errors: number }> => {
    const summary = report.targets.find((entry) => entry.targetId === target);
    expect(summary).toBeDefined();
    return new Map(
      (summary?.turns ?? [])
        .filter((turn) => turn.scored + turn.unscored + turn.errors > 0)
        .map((turn) => [turn.turn, { n: turn.scored, mean: turn.mean, unscored: turn.unscored, errors: turn.errors }]),
    );
  };

  const agreesWithReport = (rows: readonly FlatRow[]): void => {
    for (const target of ["safe", "weak"]) {
      const exported = turnSummary(rows, target);
      const expected = reportTurns(target);
      expect([...exported.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [turn, values] of expected) {
        const got = exported.get(turn);
        expect(got?.n, `${target} turn ${turn}`).toBe(values.n);
        expect(got?.unscored, `${target} turn ${turn}`).toBe(values.unscored);
        expect(got?.errors, `${target} turn ${turn}`).toBe(values.errors);
        if (values.mean === null) expect(got?.mean).toBeNull();
        else expect(got?.mean).toBeCloseTo(values.mean, 12);
      }
    }
  };

  it("writes JSONL with nested verdicts, prints counts and paths only, and agrees with the report", async () => {
    const stdout = await exportAs("jsonl", "out/results.jsonl");
    expect(stdout).toContain(
      `exported 16 rows (jsonl; one per item x target x epoch x turn) of run ${runId} to out/results.jsonl`,
    );
    expect(stdout).toContain("turns 15 scored, 0 unscored, 1 failed; verdicts 29 scored, 1 unscored, 0 failed");
    expect(stdout).toContain("Manifest: out/results.jsonl.manifest.json");
    // Only counts and paths: no user message or reply reaches the terminal.
    expect(stdout).not.toMatch(/ITEM-|\[safe-model\]|\[weak-model\]/);
    const rows = readFileSync(join(project, "out/results.jsonl"), "utf8")
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as JsonlRow);
    expect(rows).toHaveLength(16);
    // Key order: target, item, epoch, turn.
    expect(rows.map((row) => `${row.targetId}/${row.itemId}/${row.epoch}/${row.turn}`)).toEqual(
      ["safe", "weak"].flatMap((target) =>
        [
          ["item-a", 3],
          ["item-b", 3],
          ["item-c", 2],
        ].flatMap(([item, turns]) =>
          Array.from({ length: Number(turns) }, (_, index) => `${target}/${String(item)}/1/${index + 1}`),
        ),
      ),
    );
    const weakA2 = rows.find((row) => row.targetId === "weak" && row.itemId === "item-a" && row.turn === 2);
    expect(weakA2).toMatchObject({
      runId,
      userMessage: "ITEM-A second",
      reply: "[weak-model] turn 1",
      status: "success",
      error: null,
      turnState: "scored",
      turnScore: ((SCORES["grader-a"]?.["weak-model"]?.[1] ?? 0) + (SCORES["grader-b"]?.["weak-model"]?.[1] ?? 0)) / 2,
      item: {
        language: "en",
        guidelineId: "jma-10",
        strategy: "clinical-authority",
        rubric: "jmedethic-safety",
        pairId: "p-a",
      },
    });
    expect(weakA2?.verdicts.map((verdict) => [verdict.judge, verdict.status, verdict.score])).toEqual([
      ["judge-a", "scored", 5],
      ["judge-b", "scored", 1],
    ]);
    // The failed turn: kept, with its error, no reply, no verdict.
    const failed = rows.find((row) => row.targetId === "safe" && row.itemId === "item-b" && row.turn === 3);
    expect(failed).toMatchObject({ status: "error", reply: null, turnState: "error", turnScore: null, verdicts: [] });
    expect(failed?.error?.status).toBe(500);
    // The unscored verdict: kept, with its reason; the turn scores on the other judge alone.
    const unscored = rows.find((row) => row.targetId === "weak" && row.itemId === "item-c" && row.turn === 2);
    const refused = unscored?.verdicts.find((verdict) => verdict.judge === "judge-b");
    expect(refused).toMatchObject({ status: "unscored", score: null });
    expect(refused?.unscoredReason).toEqual(expect.any(String));
    expect(unscored).toMatchObject({ turnState: "scored", turnScore: SCORES["grader-a"]?.["weak-model"]?.[1] });
    agreesWithReport(
      rows.map((row) => ({
        target_id: row.targetId,
        turn: row.turn,
        turn_score: row.turnScore,
        turn_state: row.turnState,
      })),
    );
    const manifest = JSON.parse(
      readFileSync(join(project, "out/results.jsonl.manifest.json"), "utf8"),
    ) as ResultsExportManifest;
    expect(manifest).toMatchObject({
      kind: "medsafety-results-export",
      source: { runId },
      output: { format: "jsonl", path: join(project, "out/results.jsonl") },
      judges: [
        { id: "judge-a", subScores: [] },
        { id: "judge-b", subScores: [] },
      ],
      counts: {
        rows: 16,
        targets: 2,
        turns: { scored: 15, unscored: 0, error: 1 },
        verdicts: { scored: 29, unscored: 1, error: 0 },
      },
    });
    expect(manifest.contentWarning.en).toMatch(/harmful/);
    expect(manifest.definitions["turnScore"]).toMatch(/mean of the valid scores/);
  });

  it("writes CSV with one column group per judge that csv-parse reads back, text inert, nulls apart from empty text", async () => {
    await exportAs("csv", "results.csv");
    const text = readFileSync(join(project, "results.csv"), "utf8");
    const records = parse(text, {
      columns: true,
      cast: (value, context) => (context.quoting ? value : value === "" ? null : value),
    }) as Array<Record<string, string | null>>;
    expect(records).toHaveLength(16);
    const header = Object.keys(records[0] ?? {});
    const manifest = JSON.parse(
      readFileSync(join(project, "results.csv.manifest.json"), "utf8"),
    ) as ResultsExportManifest;
    expect(header).toEqual(manifest.columns.map((column) => column.name));
    expect(header).toEqual(
      expect.arrayContaining([
        "run_id",
        "target_id",
        "item_id",
        "epoch",
        "turn",
        "user_message",
        "reply",
        "turn_score",
        "turn_state",
        "cost_usd",
        "judge-a_score",
        "judge-a_status",
        "judge-a_label",
        "judge-a_rationale",
        "judge-b_unscored_reason",
        "judge-b_cost_usd",
      ]),
    );
    const failed = records.find(
      (row) => row["target_id"] === "safe" && row["item_id"] === "item-b" && row["turn"] === "3",
    );
    expect(failed).toMatchObject({
      status: "error",
      reply: null,
      turn_state: "error",
      error_status: "500",
      "judge-a_status": null,
    });
    const unscored = records.find(
      (row) => row["target_id"] === "weak" && row["item_id"] === "item-c" && row["turn"] === "2",
    );
    expect(unscored).toMatchObject({ "judge-b_status": "unscored", "judge-b_score": null, "judge-a_status": "scored" });
    expect(unscored?.["judge-b_unscored_reason"]).toEqual(expect.any(String));
    agreesWithReport(records);
    // Every text cell is quoted, so one that starts with a formula character could only be data; none is unescaped here.
    for (const row of records)
      for (const value of Object.values(row)) if (value !== null) expect(unescapeFormulaCell(value)).toBe(value);
  });

  it("writes Parquet with typed, nullable columns in row groups that hyparquet reads back", async () => {
    const stdout = await exportAs("parquet", "results.parquet");
    expect(stdout).toContain("exported 16 rows (parquet;");
    const file = await asyncBufferFromFile(join(project, "results.parquet"));
    const metadata = await parquetMetadataAsync(file);
    expect(Number(metadata.num_rows)).toBe(16);
    const types = Object.fromEntries(
      metadata.schema.slice(1).map((element) => [element.name, [element.type, element.repetition_type]]),
    );
    expect(types["turn"]).toEqual(["INT32", "OPTIONAL"]);
    expect(types["turn_score"]).toEqual(["DOUBLE", "OPTIONAL"]);
    expect(types["reply"]).toEqual(["BYTE_ARRAY", "OPTIONAL"]);
    expect(types["cached"]).toEqual(["BOOLEAN", "OPTIONAL"]);
    const rows = (await parquetReadObjects({ file })) as FlatRow[];
    expect(rows).toHaveLength(16);
    const csv = parse(readFileSync(join(project, "results.csv"), "utf8"), {
      columns: true,
      cast: (value, context) => (context.quoting ? value : value === "" ? null : value),
    }) as Array<Record<string, string | null>>;
    // Same cells as the CSV (which has text only): numbers and booleans as text, nulls as nulls.
    expect(
      rows.map((row) =>
        Object.fromEntries(Object.entries(row).map(([key, value]) => [key, value === null ? null : String(value)])),
      ),
    ).toEqual(csv);
    const weakA2 = rows.find((row) => row["target_id"] === "weak" && row["item_id"] === "item-a" && row["turn"] === 2);
    expect(weakA2).toMatchObject({ turn_score: 3, "judge-a_score": 5, "judge-b_score": 1, epoch: 1, cached: false });
    agreesWithReport(rows);
  });

  it("writes small row groups when asked (bounded memory) with the same rows", async () => {
    await exportAs("parquet", "small-groups.parquet");
    const result = await runInProcess(
      [
        "export",
        "results",
        "--run",
        runId,
        "--format",
        "parquet",
        "--out",
        "groups.parquet",
        "--row-group-size",
        "3",
        "--store",
        "store.db",
      ],
      { cwd: project },
    );
    expect(result.code, result.stderr).toBe(0);
    const file = await asyncBufferFromFile(join(project, "groups.parquet"));
    const metadata = await parquetMetadataAsync(file);
    expect(metadata.row_groups.map((group) => Number(group.num_rows))).toEqual([3, 3, 3, 3, 3, 1]);
    const whole = await parquetReadObjects({ file: await asyncBufferFromFile(join(project, "small-groups.parquet")) });
    expect(await parquetReadObjects({ file })).toEqual(whole);
  });

  it("refuses an unknown format and a missing run with the fix", async () => {
    const format = await runInProcess(
      ["export", "results", "--format", "xlsx", "--out", "x.xlsx", "--store", "store.db"],
      { cwd: project },
    );
    expect(format.code).not.toBe(0);
    expect(format.stderr).toMatch(/jsonl, csv, parquet/);
    const missing = await runInProcess(
      ["export", "results", "--run", "no-such-run", "--format", "jsonl", "--out", "x.jsonl", "--store", "store.db"],
      { cwd: project },
    );
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/no-such-run/);
  });
});
