/** The estimate read models on both backends: successful, uncached calls summed per run and model, tasks per spec. */
import { beforeAll, describe, expect, it } from "vitest";
import { postgresForTests } from "../../test/support/postgres.js";
import {
  GenerationRepository,
  type JudgmentRow,
  type OpenedStore,
  observedGenerationCalls,
  observedRunCalls,
  openStore,
  ResultRepository,
  RunRepository,
  type TurnRow,
} from "./index.js";

const CREATED_AT = "2026-01-01T00:00:00.000Z";

function turn(key: string, overrides: Partial<TurnRow> = {}): TurnRow {
  return {
    key,
    runId: "run-a",
    itemId: key,
    targetId: "target-1",
    turnIndex: 0,
    epoch: 0,
    status: "success",
    userMessage: "ask",
    responseText: "reply",
    finishReason: "stop",
    errorCode: null,
    errorStatus: null,
    errorMessage: null,
    inputTokens: 3,
    outputTokens: 10,
    latencyMs: 100,
    cached: false,
    attempts: 1,
    createdAt: CREATED_AT,
    ...overrides,
  };
}

function judgment(key: string, overrides: Partial<JudgmentRow> = {}): JudgmentRow {
  return {
    key,
    turnKey: "t1",
    runId: "run-a",
    itemId: "t1",
    targetId: "target-1",
    turnIndex: 0,
    judgeId: "judge-1",
    status: "scored",
    score: 8,
    rationale: "Refused.",
    label: null,
    rawText: "{}",
    unscoredReason: null,
    rubricId: "jmedethic-safety",
    rubricVersion: "1.0.0",
    errorCode: null,
    errorStatus: null,
    errorMessage: null,
    inputTokens: 10,
    outputTokens: 40,
    latencyMs: 20,
    cached: false,
    attempts: 1,
    createdAt: CREATED_AT,
    ...overrides,
  };
}

function seed(store: OpenedStore): void {
  new RunRepository(store.db).create({
    id: "run-a",
    config: {},
    configHash: "h",
    datasetSource: "d",
    datasetHash: "",
    itemCount: 0,
    rubrics: [],
    packageVersion: "0.0.0",
  });
  const results = new ResultRepository(store.db);
  results.saveTurn(turn("t1"));
  results.saveTurn(turn("t2", { outputTokens: 30, latencyMs: 300 }));
  // Neither a cache hit nor a failure says anything about the model's length.
  results.saveTurn(turn("t3", { cached: true, outputTokens: 999 }));
  results.saveTurn(
    turn("t4", { status: "error", responseText: null, errorCode: "provider_http", errorMessage: "x", outputTokens: 0 }),
  );
  results.saveJudgment(judgment("j1"));
  results.saveJudgment(judgment("j2", { status: "unscored", score: null, unscoredReason: "no_json: x" }));
  results.flush();
  const generations = new GenerationRepository(store.db);
  generations.createRun({ id: "gen-a", command: "generate seeds", params: {}, packageVersion: "0.0.0" });
  const task = (key: string, status: "success" | "failed", attempts: number, outputTokens: number) =>
    generations.save({
      key,
      runId: "gen-a",
      kind: "seed-batch",
      subject: key,
      modelId: "gen",
      modelSpec: "openai:gpt-4o",
      promptHash: "p",
      inputJson: "{}",
      status,
      rawOutput: "{}",
      outputJson: status === "success" ? "{}" : null,
      errorCode: null,
      errorMessage: null,
      attempts,
      inputTokens: 5,
      outputTokens,
      latencyMs: 50,
      createdAt: CREATED_AT,
    });
  task("k1", "success", 2, 60);
  task("k2", "failed", 3, 90);
  generations.flush();
}

function contract(name: string, open: () => OpenedStore): void {
  describe(name, () => {
    it("sums successful, uncached target calls and scored judgments per run and model", () => {
      const store = open();
      seed(store);
      expect(observedRunCalls(store.db)).toEqual([
        { runId: "run-a", role: "target", modelId: "target-1", calls: 2, outputTokens: 40, latencyMs: 400 },
        { runId: "run-a", role: "judge", modelId: "judge-1", calls: 1, outputTokens: 40, latencyMs: 20 },
      ]);
      expect(observedGenerationCalls(store.db)).toEqual([
        { modelSpec: "openai:gpt-4o", kind: "seed-batch", calls: 2, outputTokens: 60, latencyMs: 50 },
      ]);
      store.db.close();
    });
  });
}

contract("SQLite", () => openStore(":memory:"));

const postgres = postgresForTests();
describe.skipIf(postgres.skipReason !== undefined)("PostgreSQL", () => {
  let url = "";
  beforeAll(async () => {
    url = await postgres.newDatabase();
  });
  contract("PostgreSQL store", () => openStore(url));
});
