import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMedSafetyBench } from "../../src/datasets/index.js";
import { type FixtureServer, startFixtureServer } from "../../src/testing/index.js";
import { alpacaRecordSchema, openaiChatRecordSchema, type SftManifest } from "../../src/training-data/index.js";
import { runInProcess } from "../support/in-process-cli.js";
import { MEDSAFETYBENCH_DATA, skipWithout } from "../support/requirements.js";
import { printedRunId, REPO_ROOT, tempProject, writeJsonl } from "./cli-harness.js";
import { SCENARIO_ITEMS, scenarioConfig, scenarioHandler } from "./scenario.js";

const DATA = join(REPO_ROOT, "../shared/data/medsafetybench");

function jsonLines(path: string): unknown[] {
  return readFileSync(path, "utf8")
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as unknown);
}

function manifestOf(path: string): SftManifest {
  return JSON.parse(readFileSync(`${path}.manifest.json`, "utf8")) as SftManifest;
}

describe.skipIf(skipWithout(MEDSAFETYBENCH_DATA))("medsafety export sft (e2e, MedSafetyBench + multi-turn run)", () => {
  let server: FixtureServer;
  let folder: string;
  let runId: string;
  /** The 450 MedSafetyBench test/gpt4 requests and their reference responses. */
  const references = new Map<string, string>();

  beforeAll(async () => {
    server = await startFixtureServer({ handler: scenarioHandler, record: false });
    folder = tempProject("medsafety-sft-");
    writeJsonl(join(folder, "bench.jsonl"), SCENARIO_ITEMS);
    const config = scenarioConfig(server.openaiBaseURL, `medsafetybenchDir: ${JSON.stringify(DATA)}\n`)
      .replace("benchmark: ./bench.jsonl", 'benchmark: [./bench.jsonl, "medsafetybench:test:gpt4"]')
      .replace("concurrency: 4", "concurrency: 32");
    writeFileSync(join(folder, "medsafety.config.yaml"), config);
    const run = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: folder });
    expect(run.code, run.stderr).toBe(0);
    runId = printedRunId(run.stdout);
    const { items } = readMedSafetyBench(DATA, { splits: ["test"], sources: ["gpt4"] });
    for await (const item of items) references.set(item.turns[0] ?? "", String(item.metadata["referenceResponse"]));
  });

  afterAll(async () => {
    await server.close();
  });

  it("exports weak-model's 450 harmful MedSafetyBench turns with the items' reference responses (openai-chat)", async () => {
    const result = await runInProcess(
      ["export", "sft", "--from", "latest", "--format", "openai-chat", "--out", "sft.jsonl", "--store", "store.db"],
      { cwd: folder },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      `exported 450 safety demonstrations (openai-chat, JSON Lines) from run ${runId} to sft.jsonl`,
    );
    expect(result.stdout).toContain(
      "2 failing turns without a known safe reply (needsSafeResponder, not exported); 1 turn without a score skipped",
    );
    const records = jsonLines(join(folder, "sft.jsonl")).map((record) => openaiChatRecordSchema.parse(record));
    expect(records).toHaveLength(450);
    expect(new Set(records.map((record) => record.messages[0]?.content))).toEqual(new Set(references.keys()));
    for (const record of records) {
      expect(record.messages).toHaveLength(2);
      const [request, reply] = record.messages;
      expect(reply).toEqual({ role: "assistant", content: references.get(request?.content ?? "") });
    }
    expect(records.some((record) => record.messages.some((message) => message.content.includes("ITEM-")))).toBe(false);
  });

  it("writes a manifest whose source and counts match the run", async () => {
    const manifest = manifestOf(join(folder, "sft.jsonl"));
    const show = await runInProcess(["runs", "show", runId, "--json", "--store", "store.db"], { cwd: folder });
    const record = JSON.parse(show.stdout) as { datasetHash: string; configHash: string; packageVersion: string };
    expect(manifest.source).toMatchObject({
      runId,
      storePath: join(folder, "store.db"),
      datasetHash: record.datasetHash,
      configHash: record.configHash,
    });
    expect(manifest.medsafetyVersion).toBe(record.packageVersion);
    expect(manifest.output).toMatchObject({
      path: join(folder, "sft.jsonl"),
      format: "openai-chat",
      layout: "jsonl",
      system: null,
    });
    expect(manifest.filters).toMatchObject({
      language: "both",
      minScore: 3,
      maxSafetyScore: 2,
      includeMedsafetybenchTrain: null,
    });
    // weak-model's turn 2 of item-a and item-b (safety 1.5) have no safe reply; safe-model's turn 2 of item-b failed (500).
    expect(manifest.counts).toEqual({
      written: 450,
      bySource: { "medsafetybench-run": 450, "multi-turn-run": 0, "medsafetybench-train": 0, "safe-responder": 0 },
      byLanguage: { ja: 0, en: 450 },
      duplicatesDropped: 0,
      failingTurns: 452,
      needsSafeResponder: 2,
      skippedNoScore: 1,
      skippedIncompleteHistory: 0,
      excludedByLanguage: 0,
    });
    expect(Number.isNaN(Date.parse(manifest.createdAt))).toBe(false);
  });

  it("writes byte-identical records when run again", async () => {
    const again = await runInProcess(
      ["export", "sft", "--from", runId, "--format", "openai-chat", "--out", "again.jsonl", "--store", "store.db"],
      { cwd: folder },
    );
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(folder, "again.jsonl"))).toEqual(readFileSync(join(folder, "sft.jsonl")));
    const hf1 = await runInProcess(
      ["export", "sft", "--format", "hf-messages", "--out", "hf1.jsonl", "--store", "store.db"],
      { cwd: folder },
    );
    const hf2 = await runInProcess(
      ["export", "sft", "--format", "hf-messages", "--out", "hf2.jsonl", "--store", "store.db"],
      { cwd: folder },
    );
    expect([hf1.code, hf2.code]).toEqual([0, 0]);
    expect(readFileSync(join(folder, "hf2.jsonl"))).toEqual(readFileSync(join(folder, "hf1.jsonl")));
  });

  it("adds the 900 MedSafetyBench train pairs in alpaca format", async () => {
    const result = await runInProcess(
      [
        "export",
        "sft",
        "--from",
        "latest",
        "--format",
        "alpaca",
        "--out",
        "sft-alpaca.json",
        "--store",
        "store.db",
        "--include-medsafetybench-train",
        DATA,
      ],
      { cwd: folder },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("exported 1350 safety demonstrations (alpaca, JSON array)");
    const records = (JSON.parse(readFileSync(join(folder, "sft-alpaca.json"), "utf8")) as unknown[]).map((record) =>
      alpacaRecordSchema.parse(record),
    );
    expect(records).toHaveLength(1350);
    expect(records.every((record) => record.input === "")).toBe(true);
    expect(records.slice(0, 450).every((record) => references.get(record.instruction) === record.output)).toBe(true);
    expect(manifestOf(join(folder, "sft-alpaca.json")).counts).toMatchObject({
      written: 1350,
      bySource: { "medsafetybench-run": 450, "multi-turn-run": 0, "medsafetybench-train": 900 },
      byLanguage: { en: 1350, ja: 0 },
      duplicatesDropped: 0,
      needsSafeResponder: 2,
    });
  });

  it("--language ja exports nothing from this run and says so", async () => {
    const result = await runInProcess(
      ["export", "sft", "--format", "hf-messages", "--out", "ja.jsonl", "--store", "store.db", "--language", "ja"],
      { cwd: folder },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(folder, "ja.jsonl"), "utf8")).toBe("");
    expect(manifestOf(join(folder, "ja.jsonl")).counts).toMatchObject({ written: 0, needsSafeResponder: 1 });
  });

  it("an unknown run or a bad flag exits with 2", async () => {
    const unknown = await runInProcess(
      ["export", "sft", "--from", "no-such-run", "--format", "alpaca", "--out", "x.json", "--store", "store.db"],
      { cwd: folder },
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Run "no-such-run" is not in this store');
    expect(existsSync(join(folder, "x.json"))).toBe(false);
    const badScore = await runInProcess(
      ["export", "sft", "--format", "alpaca", "--out", "x.json", "--store", "store.db", "--min-score", "9"],
      { cwd: folder },
    );
    expect(badScore.code).toBe(2);
    const noFormat = await runInProcess(["export", "sft", "--out", "x.json", "--store", "store.db"], { cwd: folder });
    expect(noFormat.code).toBe(2);
  });
});
