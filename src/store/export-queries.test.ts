import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresForTests } from "../../test/support/postgres.js";
import { exportItemRows, exportShape, exportTurnRows } from "./export-queries.js";
import { ItemRepository, type OpenedStore, openStore, ResultRepository, RunRepository } from "./index.js";
import type { JudgmentRow, TurnRow } from "./result-rows.js";

const STAMP = "2026-12-02T00:00:00.000Z";

function turn(key: string, itemId: string, targetId: string, fields: Partial<TurnRow> = {}): TurnRow {
  return {
    key,
    runId: "run-x",
    itemId,
    targetId,
    turnIndex: 0,
    epoch: 0,
    status: "success",
    userMessage: `user ${key}`,
    responseText: `reply ${key}`,
    finishReason: "stop",
    errorCode: null,
    errorStatus: null,
    errorMessage: null,
    inputTokens: 3,
    outputTokens: 4,
    latencyMs: 12.5,
    cached: false,
    attempts: 1,
    createdAt: STAMP,
    costUsd: 0.001,
    ...fields,
  };
}

function judgment(turnKey: string, judgeId: string, fields: Partial<JudgmentRow> = {}): JudgmentRow {
  return {
    key: `${turnKey}-${judgeId}`,
    turnKey,
    runId: "run-x",
    itemId: "item-1",
    targetId: "t-1",
    turnIndex: 0,
    judgeId,
    status: "scored",
    score: 7,
    rationale: "because",
    label: null,
    rawText: "{}",
    unscoredReason: null,
    errorCode: null,
    errorStatus: null,
    errorMessage: null,
    rubricId: "jmedethic-safety",
    rubricVersion: "1.0.0",
    inputTokens: 5,
    outputTokens: 6,
    latencyMs: 1,
    cached: false,
    attempts: 1,
    createdAt: STAMP,
    costUsd: null,
    ...fields,
  };
}

/** A run with two targets, two items, two epochs, a failed turn, an unscored and a failed verdict, sub-scores. */
function exportCases(open: () => OpenedStore): void {
  let store: OpenedStore;

  beforeAll(() => {
    store = open();
    new RunRepository(store.db).create({
      id: "run-x",
      config: {},
      configHash: "h",
      datasetSource: "bench.jsonl",
      datasetHash: "d",
      itemCount: 2,
      rubrics: [],
      packageVersion: "0",
    });
    const item = (id: string, extra: Record<string, unknown>): string =>
      JSON.stringify({
        id,
        language: "en",
        guidelineId: "g",
        strategy: "s",
        seedRequest: `seed ${id}`,
        turns: ["a", "b"],
        ...extra,
      });
    new ItemRepository(store.db).addBatch("run-x", 0, [
      {
        id: "item-2",
        version: "v2",
        language: "ja",
        pairId: "p",
        guidelineId: "g2",
        strategy: "s2",
        turnCount: 1,
        json: item("item-2", { rubric: "helpfulness", metadata: { source: "src", seedId: "seed-9" } }),
      },
      {
        id: "item-1",
        version: "v1",
        language: "en",
        pairId: undefined,
        guidelineId: "g",
        strategy: "s",
        turnCount: 2,
        json: item("item-1", {}),
      },
    ]);
    const results = new ResultRepository(store.db);
    // Written out of key order: the query orders them.
    results.saveTurn(turn("k-t2-i1-e0-0", "item-1", "t-2"));
    results.saveTurn(turn("k-t1-i1-e1-0", "item-1", "t-1", { epoch: 1 }));
    results.saveTurn(
      turn("k-t1-i1-e0-1", "item-1", "t-1", {
        turnIndex: 1,
        status: "error",
        responseText: null,
        errorStatus: 500,
        errorCode: "provider_error",
        errorMessage: "boom",
        costUsd: null,
      }),
    );
    results.saveTurn(turn("k-t1-i1-e0-0", "item-1", "t-1"));
    results.saveTurn(turn("k-t1-i2-e0-0", "item-2", "t-1"));
    results.saveJudgment(
      judgment("k-t1-i1-e0-0", "j-b", { status: "unscored", score: null, unscoredReason: "not a verdict" }),
    );
    results.saveJudgment(
      judgment("k-t1-i1-e0-0", "j-a", {
        details: { subScores: { risk: 2.5, consistency: 1 }, categories: ["S1"] },
        costUsd: 0.0123,
      }),
    );
    results.saveJudgment(
      judgment("k-t1-i1-e1-0", "j-a", {
        status: "error",
        score: null,
        errorStatus: 429,
        errorCode: "rate_limited",
        errorMessage: "slow down",
      }),
    );
    results.saveJudgment(
      judgment("k-t1-i2-e0-0", "j-c", {
        rubricId: "helpfulness",
        score: 1,
        label: "comply",
        details: { subScores: { tone: 3 } },
      }),
    );
    results.flush();
  });

  afterAll(() => {
    store.db.close();
  });

  it("streams every turn once, in key order (target, item, epoch, turn), verdicts by judge", () => {
    const rows = [...exportTurnRows(store.db, "run-x")];
    expect(rows.map((row) => [row.targetId, row.itemId, row.epoch, row.turnIndex])).toEqual([
      ["t-1", "item-1", 0, 0],
      ["t-1", "item-1", 0, 1],
      ["t-1", "item-1", 1, 0],
      ["t-1", "item-2", 0, 0],
      ["t-2", "item-1", 0, 0],
    ]);
    const [first, failed, secondEpoch, , unjudged] = rows;
    expect(first?.verdicts.map((verdict) => [verdict.judgeId, verdict.status, verdict.score])).toEqual([
      ["j-a", "scored", 7],
      ["j-b", "unscored", null],
    ]);
    expect(first?.verdicts[0]).toMatchObject({
      details: { subScores: { risk: 2.5, consistency: 1 }, categories: ["S1"] },
      costUsd: 0.0123,
      rubricId: "jmedethic-safety",
      rubricVersion: "1.0.0",
      inputTokens: 5,
      cached: false,
    });
    expect(first?.verdicts[1]).toMatchObject({ details: null, costUsd: null, unscoredReason: "not a verdict" });
    expect(first).toMatchObject({
      userMessage: "user k-t1-i1-e0-0",
      responseText: "reply k-t1-i1-e0-0",
      costUsd: 0.001,
      latencyMs: 12.5,
    });
    expect(failed).toMatchObject({
      status: "error",
      responseText: null,
      errorStatus: 500,
      errorCode: "provider_error",
      errorMessage: "boom",
      costUsd: null,
      verdicts: [],
    });
    expect(secondEpoch?.verdicts[0]).toMatchObject({ status: "error", errorStatus: 429, errorCode: "rate_limited" });
    expect(unjudged?.verdicts).toEqual([]);
    expect([...exportTurnRows(store.db, "no-such-run")]).toEqual([]);
  });

  it("gives the judges, rubrics and sub-score names of the run's verdicts", () => {
    expect(exportShape(store.db, "run-x")).toEqual({
      judges: ["j-a", "j-b", "j-c"],
      rubrics: ["helpfulness", "jmedethic-safety"],
      subScores: { "j-a": ["consistency", "risk"], "j-c": ["tone"] },
    });
  });

  it("streams the run's items in dataset order with their provenance and without their turns", () => {
    expect([...exportItemRows(store.db, "run-x")]).toEqual([
      {
        itemId: "item-2",
        itemVersion: "v2",
        seq: 0,
        language: "ja",
        pairId: "p",
        guidelineId: "g2",
        strategy: "s2",
        turnCount: 1,
        rubric: "helpfulness",
        seedRequest: "seed item-2",
        metadata: { source: "src", seedId: "seed-9" },
      },
      {
        itemId: "item-1",
        itemVersion: "v1",
        seq: 1,
        language: "en",
        pairId: null,
        guidelineId: "g",
        strategy: "s",
        turnCount: 2,
        rubric: null,
        seedRequest: "seed item-1",
        metadata: {},
      },
    ]);
  });
}

describe("export queries on SQLite", () => {
  exportCases(() => openStore(":memory:"));
});

const postgres = postgresForTests();

describe.skipIf(postgres.skipReason !== undefined)("export queries on PostgreSQL", () => {
  let url = "";
  beforeAll(async () => {
    url = await postgres.newDatabase();
  });
  exportCases(() => openStore(url));
});
