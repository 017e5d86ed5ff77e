import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cohensD,
  friedmanChiSquare,
  icc21,
  krippendorffAlphaInterval,
  mannWhitneyU,
  quadraticWeightedKappa,
  spearmanBrown,
} from "../../src/analysis/index.js";
import { type FixtureServer, startFixtureServer } from "../../src/testing/index.js";
import { runInProcess } from "../support/in-process-cli.js";
import { printedRunId, runCli, tempProject, writeJsonl } from "./cli-harness.js";
import { SCENARIO_ITEMS, SCORES, scenarioConfig, scenarioHandler, scenarioState } from "./scenario.js";

/**
 * The one full pipeline through the real binary (`run`, then `report --format json`, each a spawned process), and
 * `workers: 2` (provider calls in worker threads, which need the compiled files); the other commands run in-process.
 */
describe("medsafety run + report (e2e, fixture server)", () => {
  let server: FixtureServer;
  let project: string;
  let runId: string;
  let runOutput: string;

  beforeAll(async () => {
    server = await startFixtureServer({ handler: scenarioHandler });
    project = tempProject();
    writeJsonl(join(project, "bench.jsonl"), SCENARIO_ITEMS);
    writeFileSync(join(project, "medsafety.config.yaml"), scenarioConfig(server.openaiBaseURL));
    const result = await runCli(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: project });
    runOutput = result.stdout + result.stderr;
    expect(result.code, runOutput).toBe(0);
    runId = printedRunId(result.stdout);
  });

  afterAll(async () => {
    scenarioState.failSafeItemB = true;
    await server.close();
  });

  it("prints the run id and success", () => {
    expect(runOutput).toContain(`run ${runId}: success`);
  });

  it("report --format json matches the hand-computed values", async () => {
    const result = await runCli(["report", "--run", "latest", "--format", "json", "--store", "store.db"], {
      cwd: project,
    });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.contentWarning).toMatch(/Content warning/);
    expect(report.run.id).toBe(runId);
    expect(report.run.status).toBe("success");
    expect(report.run.rubrics).toEqual([expect.objectContaining({ id: "jmedethic-safety", version: "1.0.0" })]);
    // safe: A 9.5/8/6.5; B 9.5/8/error; C 9.5/8. weak: A 8/3/1.5; B 8/3/1.5; C 8/5 (judge-b unscored).
    const [safe, weak] = report.targets;
    const { turnTests: safeTests, ...safeSummary } = safe;
    expect(safeSummary).toEqual({
      targetId: "safe",
      conversations: 3,
      completeConversations: 2,
      passedConversations: 2,
      safetyPassRate: 1,
      turns: [
        { turn: 1, scored: 3, mean: 9.5, median: 9.5, unscored: 0, errors: 0, notReached: 0 },
        { turn: 2, scored: 3, mean: 8, median: 8, unscored: 0, errors: 0, notReached: 0 },
        { turn: 3, scored: 1, mean: 6.5, median: 6.5, unscored: 0, errors: 1, notReached: 0 },
      ],
      unscoredTurns: 0,
      errorTurns: 1,
      judgments: { scored: 14, unscored: 0, errors: 0 },
    });
    expect(weak.targetId).toBe("weak");
    expect(weak.conversations).toBe(3);
    expect(weak.completeConversations).toBe(3);
    expect(weak.passedConversations).toBe(1);
    expect(weak.safetyPassRate).toBeCloseTo(1 / 3, 12);
    expect(weak.turns[0]).toEqual({ turn: 1, scored: 3, mean: 8, median: 8, unscored: 0, errors: 0, notReached: 0 });
    expect(weak.turns[1].mean).toBeCloseTo(11 / 3, 12);
    expect(weak.turns[1]).toMatchObject({ scored: 3, median: 3, unscored: 0, errors: 0 });
    expect(weak.turns[2]).toEqual({
      turn: 3,
      scored: 2,
      mean: 1.5,
      median: 1.5,
      unscored: 0,
      errors: 0,
      notReached: 0,
    });
    expect(weak.judgments).toEqual({ scored: 15, unscored: 1, errors: 0 });
    // Turn decline tests on the per-turn scores above (built here from the hand computation); the JSON numbers turns from 1.
    const safeByTurn = [[9.5, 9.5, 9.5], [8, 8, 8], [6.5]];
    const weakByTurn = [
      [8, 8, 8],
      [3, 3, 5],
      [1.5, 1.5],
    ];
    expect(safeTests.pairs.map((pair: { from: number; to: number }) => [pair.from, pair.to])).toEqual([
      [1, 2],
      [1, 3],
      [2, 3],
    ]);
    const safeFirst = mannWhitneyU(safeByTurn[0] ?? [], safeByTurn[1] ?? []);
    expect(safeTests.pairs[0].mannWhitney.u).toBe(safeFirst?.u);
    expect(safeTests.pairs[0].mannWhitney.pValue).toBeCloseTo(safeFirst?.pValue ?? Number.NaN, 12);
    expect(safeTests.pairs[0].mannWhitney.pBonferroni).toBeCloseTo(Math.min(1, 3 * (safeFirst?.pValue ?? 0)), 12);
    expect(safeTests.pairs[0].wilcoxon.n).toBe(3);
    expect(safeTests.friedman.n).toBe(1);
    expect(weak.turnTests.pairs[0].cohensD).toBeCloseTo(
      cohensD(weakByTurn[0] ?? [], weakByTurn[1] ?? []) ?? Number.NaN,
      12,
    );
    expect(weak.turnTests.pairs[0].cohensD).toBeGreaterThan(0);
    expect(weak.turnTests.friedman.n).toBe(2);
    expect(weak.turnTests.friedman.statistic).toBeCloseTo(
      friedmanChiSquare([
        [8, 8],
        [3, 3],
        [1.5, 1.5],
      ])?.statistic ?? Number.NaN,
      12,
    );
    const [judgeA, judgeB] = report.judges;
    expect(judgeA).toMatchObject({ judgeId: "judge-a", scored: 15, unscored: 0, errors: 0 });
    expect(judgeA.mean).toBeCloseTo(101 / 15, 12);
    expect(judgeB).toMatchObject({ judgeId: "judge-b", scored: 14, unscored: 1, errors: 0 });
    expect(judgeB.mean).toBeCloseTo(88 / 14, 12);
    expect(report.judgePairs).toEqual([
      {
        judges: ["judge-a", "judge-b"],
        rubricId: "jmedethic-safety",
        threshold: 3,
        n: 14,
        meanAbsoluteDifference: 1,
        disagreements: 2,
      },
    ]);
    // Agreement over the 14 turns both judges scored, rebuilt from the scenario's score tables (not from the store).
    const pairs: number[][] = [];
    for (const [target, turnsByItem] of [
      ["safe-model", [3, 2, 2]],
      ["weak-model", [3, 3, 1]],
    ] as const) {
      for (const turns of turnsByItem) {
        for (let turn = 0; turn < turns; turn += 1)
          pairs.push([SCORES["grader-a"]?.[target]?.[turn] ?? -1, SCORES["grader-b"]?.[target]?.[turn] ?? -1]);
      }
    }
    expect(pairs).toHaveLength(14);
    const [agreement] = report.agreement;
    expect(agreement).toMatchObject({
      rubricId: "jmedethic-safety",
      judges: ["judge-a", "judge-b"],
      completeTurns: 14,
      incompleteTurns: 1,
    });
    expect(agreement.icc21).toBeCloseTo(icc21(pairs) ?? Number.NaN, 12);
    expect(agreement.meanReliability).toBeCloseTo(spearmanBrown(icc21(pairs) ?? 0, 2) ?? Number.NaN, 12);
    expect(agreement.pairs[0].kappa).toBeCloseTo(
      quadraticWeightedKappa(
        pairs.map(([a]) => a ?? 0),
        pairs.map(([, b]) => b ?? 0),
        0,
        10,
      ) ?? Number.NaN,
      12,
    );
    expect(agreement.krippendorffAlpha).toBeCloseTo(krippendorffAlphaInterval([...pairs, [5, null]]) ?? Number.NaN, 12);
    expect(agreement.icc21).toBeGreaterThan(0.8);
    // 16 turn rows (one is the error), 30 judgment rows; 10 in / 5 out tokens for every answered call (45).
    expect(report.run.usage).toEqual({
      targetCalls: 16,
      judgeCalls: 30,
      cachedCalls: 0,
      inputTokens: 450,
      outputTokens: 225,
    });
  });

  it("with workers: 2 (API calls in worker threads) the report is the same", async () => {
    const folder = tempProject();
    writeJsonl(join(folder, "bench.jsonl"), SCENARIO_ITEMS);
    writeFileSync(
      join(folder, "medsafety.config.yaml"),
      scenarioConfig(server.openaiBaseURL, "workers: 2\ncache: false\n"),
    );
    const result = await runCli(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: folder });
    expect(result.code, result.stderr).toBe(0);
    const viaWorkers = JSON.parse(
      (await runInProcess(["report", "--format", "json", "--store", "store.db"], { cwd: folder })).stdout,
    );
    const inProcess = JSON.parse(
      (await runInProcess(["report", "--run", runId, "--format", "json", "--store", "store.db"], { cwd: project }))
        .stdout,
    );
    expect(viaWorkers.targets).toEqual(inProcess.targets);
    expect(viaWorkers.judges).toEqual(inProcess.judges);
    expect(viaWorkers.judgePairs).toEqual(inProcess.judgePairs);
    const db = new Database(join(folder, "store.db"), { readonly: true });
    const failed = db
      .prepare("SELECT error_code AS code, error_status AS status, attempts FROM turns WHERE status = 'error'")
      .all();
    db.close();
    expect(failed).toEqual([{ code: "provider_http", status: 500, attempts: 2 }]);
  });

  it("report --format table shows every target and the judge pair", async () => {
    const result = await runInProcess(["report", "--store", "store.db"], { cwd: project });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("Content warning");
    expect(result.stdout).toMatch(/safe\s*│\s*3\s*│\s*9\.50 \/ 9\.5/);
    expect(result.stdout).toContain("33.3% (1/3)");
    expect(result.stdout).toMatch(/judge-a × judge-b\s*│\s*jmedethic-safety\s*│\s*14\s*│\s*1\.00\s*│\s*2/);
  });

  it("judges saw the conversation in the item's language, the target saw its own earlier replies", () => {
    const targetCall = server.requests.find(
      (request) =>
        request.model === "weak-model" &&
        request.messages.length === 5 &&
        request.messages[0]?.content === "ITEM-A first",
    );
    expect(targetCall?.messages.map((message) => message.content)).toEqual([
      "ITEM-A first",
      "[weak-model] turn 0",
      "ITEM-A second",
      "[weak-model] turn 1",
      "ITEM-A third",
    ]);
    const japaneseJudge = server.requests.find(
      (request) => request.model === "grader-a" && request.messages[0]?.content.includes("ITEM-B 一つ目"),
    );
    expect(japaneseJudge?.system).toMatch(/[ぁ-んァ-ン]/);
    expect(japaneseJudge?.jsonSchema).toBeDefined();
  });

  it("runs list and runs show describe the run record", async () => {
    const list = await runInProcess(["runs", "list", "--json", "--store", "store.db"], { cwd: project });
    expect(list.code, list.stderr).toBe(0);
    const [listed] = JSON.parse(list.stdout);
    expect(listed).toMatchObject({
      id: runId,
      status: "success",
      itemCount: 3,
      targets: ["safe", "weak"],
      judges: ["judge-a", "judge-b"],
    });
    const show = await runInProcess(["runs", "show", runId.slice(0, 17), "--store", "store.db"], { cwd: project });
    expect(show.code, show.stderr).toBe(0);
    for (const field of ["configHash", "datasetHash", "rubrics", "packageVersion", "usage", "status"])
      expect(show.stdout).toContain(field);
    expect(show.stdout).toContain("jmedethic-safety");
    expect(show.stdout).toContain("0.1.0");
  });

  it("a second identical run is served from the response cache; --no-cache calls again", async () => {
    const before = server.callCount();
    const cached = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: project });
    expect(cached.code, cached.stderr).toBe(0);
    // Only the failing call (500, never cached) and its retry reach the server again.
    expect(server.callCount() - before).toBe(2);
    const uncached = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-progress", "--no-cache"], {
      cwd: project,
    });
    expect(uncached.code, uncached.stderr).toBe(0);
    expect(server.callCount() - before).toBeGreaterThan(40);
  });

  it("resume keeps a failed turn as an error; --retry-errors calls it again and completes the conversation", async () => {
    const plain = await runInProcess(["run", "--resume", runId, "--store", "store.db", "--no-progress"], {
      cwd: project,
    });
    expect(plain.code, plain.stderr).toBe(0);
    const unchanged = JSON.parse(
      (await runInProcess(["report", "--run", runId, "--format", "json", "--store", "store.db"], { cwd: project }))
        .stdout,
    );
    expect(unchanged.targets[0].errorTurns).toBe(1);

    scenarioState.failSafeItemB = false;
    const retried = await runInProcess(
      ["run", "--resume", runId, "--retry-errors", "--store", "store.db", "--no-progress"],
      { cwd: project },
    );
    expect(retried.code, retried.stderr).toBe(0);
    const report = JSON.parse(
      (await runInProcess(["report", "--run", runId, "--format", "json", "--store", "store.db"], { cwd: project }))
        .stdout,
    );
    const [safe] = report.targets;
    expect(safe.errorTurns).toBe(0);
    expect(safe.turns[2]).toEqual({
      turn: 3,
      scored: 2,
      mean: 6.5,
      median: 6.5,
      unscored: 0,
      errors: 0,
      notReached: 0,
    });
    expect(safe.completeConversations).toBe(3);
    expect(safe.safetyPassRate).toBe(1);
    expect(report.run.usage.targetCalls).toBe(16);
    expect(report.run.usage.judgeCalls).toBe(32);
  });
});
