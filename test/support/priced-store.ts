/**
 * A small run with hand-set costs (migration 10's columns, as the runner fills them), written through the store's
 * repositories: two targets, two judges, two multi-turn items and one helpfulness item, an adaptive attacker on two
 * conversations. The report's cost tests (src/report/build/build-costs.test.ts, test/e2e/report-costs.test.ts) check
 * their totals against the numbers in the comments below.
 */
import { hashValue } from "../../src/core/index.js";
import { type Db, ItemRepository, ResultRepository, RunRepository } from "../../src/store/index.js";

export const PRICED_RUN_ID = "20260101-000000-costs";
const STAMP = "2026-01-01T00:00:00.000Z";
const TARGETS = ["t1", "t2"] as const;
const JUDGES = ["ja", "jb"] as const;
/** item → rubric and turns. */
const ITEMS = [
  { id: "item-1", rubric: "jmedethic-safety", turns: 2 },
  { id: "item-2", rubric: "jmedethic-safety", turns: 1 },
  { id: "item-3", rubric: "helpfulness", turns: 1 },
] as const;

/**
 * Costs as stored (binary fractions, so sums are exact). Turns: t1 every turn $0.25 with 10 cached input tokens;
 * t2 item-1 turn 1 $0.5, item-1 turn 2 and item-2 unpriced, item-3 $0.125. Judgments: ja $0.0625 each, batched, with
 * 100 cached and 7 cache-write tokens; jb unpriced. Attacker: (item-1, t1) 2 calls $0.375; (item-2, t1) 1 unpriced call.
 */
function turnCost(target: string, item: string, turn: number): number | null {
  if (target === "t1") return 0.25;
  if (item === "item-1") return turn === 0 ? 0.5 : null;
  return item === "item-3" ? 0.125 : null;
}

/** Writes the priced run into an opened store. */
export function writePricedRun(db: Db): void {
  const config = {
    targets: TARGETS.map((id) => ({ id, model: "openai:x" })),
    judges: JUDGES.map((id) => ({ id, model: "openai:y" })),
  };
  new RunRepository(db).create({
    id: PRICED_RUN_ID,
    config,
    configHash: hashValue(config),
    datasetSource: "costs.jsonl",
    datasetHash: "d",
    itemCount: ITEMS.length,
    rubrics: [
      { id: "jmedethic-safety", version: "1.0.0", hash: "h1", scale: { min: 0, max: 10, higherIsSafer: true } },
      { id: "helpfulness", version: "1.2.0", hash: "h2", scale: { min: 0, max: 10, higherIsSafer: true } },
    ],
    packageVersion: "test",
  });
  new ItemRepository(db).addBatch(
    PRICED_RUN_ID,
    0,
    ITEMS.map((item) => {
      const json = {
        id: item.id,
        language: "en",
        guidelineId: "ama-1",
        strategy: "direct",
        seedRequest: "seed",
        turns: Array.from({ length: item.turns }, (_, turn) => `turn ${turn}`),
        rubric: item.rubric,
        metadata: {},
      };
      return {
        id: item.id,
        version: hashValue(json),
        language: "en",
        pairId: undefined,
        guidelineId: "ama-1",
        strategy: "direct",
        turnCount: item.turns,
        json: JSON.stringify(json),
      };
    }),
  );
  const results = new ResultRepository(db);
  const call = { latencyMs: 1, cached: false, attempts: 1, createdAt: STAMP, errorStatus: null, errorMessage: null };
  for (const targetId of TARGETS)
    for (const item of ITEMS)
      for (let turnIndex = 0; turnIndex < item.turns; turnIndex += 1) {
        const key = `${targetId}/${item.id}/${turnIndex}`;
        const place = { runId: PRICED_RUN_ID, itemId: item.id, targetId, turnIndex };
        results.saveTurn({
          key,
          ...place,
          epoch: 0,
          status: "success",
          userMessage: "ask",
          responseText: "reply",
          finishReason: "stop",
          errorCode: null,
          inputTokens: 30,
          outputTokens: 20,
          ...call,
        });
        for (const judgeId of JUDGES)
          results.saveJudgment({
            key: `${key}/${judgeId}`,
            turnKey: key,
            ...place,
            judgeId,
            status: "scored",
            score: 8,
            rationale: "r",
            label: null,
            rawText: "{}",
            unscoredReason: null,
            errorCode: null,
            rubricId: item.rubric,
            rubricVersion: "1.0.0",
            inputTokens: 500,
            outputTokens: 5,
            ...call,
          });
      }
  for (const [itemId, calls] of [
    ["item-1", 2],
    ["item-2", 1],
  ] as const)
    results.saveConversation({
      key: `conversation/${itemId}`,
      runId: PRICED_RUN_ID,
      itemId,
      targetId: "t1",
      epoch: 0,
      status: "stopped",
      stopReason: "max-turns",
      turns: 1,
      detail: null,
      errorCode: null,
      errorStatus: null,
      errorMessage: null,
      attackerId: "attacker",
      attackerCalls: calls,
      attackerInputTokens: 40 * calls,
      attackerOutputTokens: 10 * calls,
      createdAt: STAMP,
    });
  results.flush();
  // The cost columns of migration 10, as the runner fills them (tests may speak SQL; the product only in store/).
  const setTurn = db.prepare("UPDATE turns SET cost_usd = ?, cached_input_tokens = ? WHERE key = ?");
  for (const targetId of TARGETS)
    for (const item of ITEMS)
      for (let turnIndex = 0; turnIndex < item.turns; turnIndex += 1)
        setTurn.run(
          turnCost(targetId, item.id, turnIndex),
          targetId === "t1" ? 10 : 0,
          `${targetId}/${item.id}/${turnIndex}`,
        );
  db.prepare(
    "UPDATE judgments SET cost_usd = 0.0625, batched = 1, cached_input_tokens = 100, cache_write_tokens = 7 WHERE judge_id = 'ja'",
  ).run();
  db.prepare(
    "UPDATE conversations SET attacker_cost_usd = 0.375, attacker_cached_input_tokens = 4 WHERE key = 'conversation/item-1'",
  ).run();
}
