import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresForTests } from "../../test/support/postgres.js";
import { GenerationRepository, type OpenedStore, openStore, ResultRepository, RunRepository } from "./index.js";
import type { JudgmentRow, TurnRow } from "./result-rows.js";
import {
  conversationsSpent,
  generationStopReason,
  runSpent,
  runStopReason,
  setGenerationStopReason,
  setRunStopReason,
} from "./run-cost-queries.js";

const STAMP = "2026-12-02T00:00:00.000Z";

function turn(key: string, itemId: string, fields: Partial<TurnRow>): TurnRow {
  return {
    key,
    runId: "run-a",
    itemId,
    targetId: "t",
    turnIndex: 0,
    epoch: 0,
    status: "success",
    userMessage: "u",
    responseText: "r",
    finishReason: "stop",
    errorCode: null,
    errorStatus: null,
    errorMessage: null,
    inputTokens: 1,
    outputTokens: 1,
    latencyMs: 1,
    cached: false,
    attempts: 1,
    createdAt: STAMP,
    ...fields,
  };
}

function judgment(key: string, itemId: string, fields: Partial<JudgmentRow>): JudgmentRow {
  return {
    key,
    turnKey: `${itemId}-turn`,
    runId: "run-a",
    itemId,
    targetId: "t",
    turnIndex: 0,
    judgeId: "j",
    status: "scored",
    score: 9,
    rationale: "ok",
    label: null,
    rawText: "{}",
    unscoredReason: null,
    errorCode: null,
    errorStatus: null,
    errorMessage: null,
    rubricId: "r",
    rubricVersion: "1",
    inputTokens: 1,
    outputTokens: 1,
    latencyMs: 1,
    cached: false,
    attempts: 1,
    createdAt: STAMP,
    ...fields,
  };
}

/** The read model on one backend: a run with two conversations (one with an unpriced call, an error, a cache hit). */
function runCostCases(open: () => OpenedStore): void {
  let store: OpenedStore;

  beforeAll(() => {
    store = open();
    const runs = new RunRepository(store.db);
    runs.create({
      id: "run-a",
      config: {},
      configHash: "h",
      datasetSource: "s",
      datasetHash: "d",
      itemCount: 2,
      rubrics: [],
      packageVersion: "0",
    });
    const results = new ResultRepository(store.db);
    results.saveTurn(turn("a-0", "item-a", { costUsd: 0.25 }));
    results.saveTurn(turn("a-1", "item-a", { turnIndex: 1, costUsd: null }));
    results.saveJudgment(judgment("a-0-j", "item-a", { costUsd: 0.125 }));
    results.saveTurn(turn("b-0", "item-b", { status: "error", responseText: null, errorCode: "x", costUsd: 0 }));
    results.saveJudgment(judgment("b-0-j", "item-b", { cached: true, costUsd: 0 }));
    results.saveConversation({
      key: "conv-b",
      runId: "run-a",
      itemId: "item-b",
      targetId: "t",
      epoch: 0,
      status: "stopped",
      stopReason: "max-turns",
      turns: 1,
      detail: null,
      errorCode: null,
      errorStatus: null,
      errorMessage: null,
      attackerId: "atk",
      attackerCalls: 2,
      attackerInputTokens: 1,
      attackerOutputTokens: 1,
      attackerCostUsd: 0.5,
      createdAt: STAMP,
    });
    results.flush();
  });

  afterAll(() => {
    store.db.close();
  });

  it("sums the run's turns, judgments and attacker calls, counting unpriced calls apart", () => {
    expect(runSpent(store.db, "run-a")).toEqual({ costUsd: 0.875, unpricedCalls: 1 });
    expect(runSpent(store.db, "no-such-run")).toEqual({ costUsd: 0, unpricedCalls: 0 });
  });

  it("gives each conversation's calls, errors, cached answers, cost and whether it ended", () => {
    expect(conversationsSpent(store.db, "run-a")).toEqual([
      { targetId: "t", itemId: "item-a", calls: 3, errors: 0, cached: 0, costUsd: 0.375, ended: false },
      { targetId: "t", itemId: "item-b", calls: 2, errors: 1, cached: 1, costUsd: 0.5, ended: true },
    ]);
  });

  it("records, reads and clears the stop reason of runs and generation runs", () => {
    setRunStopReason(store.db, "run-a", "budget");
    expect(runStopReason(store.db, "run-a")).toBe("budget");
    expect(new RunRepository(store.db).get("run-a")?.stopReason).toBe("budget");
    setRunStopReason(store.db, "run-a", null);
    expect(runStopReason(store.db, "run-a")).toBeNull();
    new GenerationRepository(store.db).createRun({ id: "gen-a", command: "c", params: {}, packageVersion: "0" });
    setGenerationStopReason(store.db, "gen-a", "budget");
    expect(generationStopReason(store.db, "gen-a")).toBe("budget");
    expect(generationStopReason(store.db, "no-such-run")).toBeNull();
  });
}

describe("run cost queries on SQLite", () => {
  runCostCases(() => openStore(":memory:"));
});

const postgres = postgresForTests();

describe.skipIf(postgres.skipReason !== undefined)("run cost queries on PostgreSQL", () => {
  let url = "";
  beforeAll(async () => {
    url = await postgres.newDatabase();
  });
  runCostCases(() => openStore(url));
});
