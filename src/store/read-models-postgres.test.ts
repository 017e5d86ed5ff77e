/**
 * The read models whose SQL differs between the backends (report-queries, view-queries, example-queries,
 * conversation-filter-queries: JSON aggregation, `json_each`, index hints) give the same answers on PostgreSQL as on
 * SQLite: the same rows in the same order, the same JS types and the same doubles. Random runs (fast-check) are
 * written to an in-memory SQLite store and to a PostgreSQL store, then every such read model is asked the same
 * questions on both. Item metadata takes every JSON type (json_extract's typing); scores make thirds, so the
 * conversation means of examples are sums of fractions (SQLite's compensated AVG against PostgreSQL's replay of it).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresForTests } from "../../test/support/postgres.js";
import {
  attackerCosts,
  chunkMatcher,
  conversationJudgments,
  conversationTurns,
  type Db,
  exampleCandidates,
  filteredItemIds,
  ItemRepository,
  judgePairCounts,
  judgmentCostRows,
  type OpenedStore,
  openStore,
  ResultRepository,
  RunRepository,
  reportItemRows,
  runItemLabels,
  type StoredItem,
  targetJudgments,
  targetTurnSummary,
  turnAggregates,
  turnScoreRows,
} from "./index.js";

const postgres = postgresForTests();
const SAFETY = "jmedethic-safety";
const HELPFULNESS = "helpfulness";
const RUBRICS = [SAFETY, HELPFULNESS] as const;
const JUDGES = ["judge-a", "judge-b", "judge-c"] as const;
const CREATED_AT = "2026-01-01T00:00:00.000Z";

/** Ids whose byte order differs from a locale's (case, punctuation, non-ASCII): both backends must sort them bytewise. */
const ITEM_IDS = ["item-b", "item-A", "item_1", "Item-a", "item-é", "item-a"] as const;
const TARGETS = ["target-1", "target-2", "Target-0"] as const;

/** A metadata value of any JSON type (SQLite's json_extract gives text, integer, real, 0/1, JSON text or NULL). */
const metadataValue = fc.oneof(
  fc.constantFrom("human", "model", "1.2", "", "é"),
  fc.constantFrom(3, 2.5, -1, true, false, null),
  fc.constant({ b: 1, a: [1, "x"] }),
  fc.constant(["x", 2]),
);

const itemArbitrary = fc.record(
  {
    language: fc.constantFrom("en", "ja"),
    pairId: fc.constantFrom("pair-1", "pair-2"),
    guidelineId: fc.constantFrom("jma-1", "jma-2", "ama-1"),
    strategy: fc.constantFrom("direct", "roleplay", "Direct"),
    turnCount: fc.integer({ min: 1, max: 4 }),
    rubric: fc.constantFrom(SAFETY, HELPFULNESS),
    attacker: metadataValue,
    guidelineSection: metadataValue,
    section: metadataValue,
    source: metadataValue,
  },
  { requiredKeys: ["language", "guidelineId", "strategy", "turnCount"] },
);

/** What happens to one turn: its status and, per rubric and judge, a verdict (or none). */
const turnArbitrary = fc.record({
  stored: fc.boolean(),
  error: fc.boolean(),
  cached: fc.boolean(),
  tokens: fc.integer({ min: 0, max: 50 }),
  verdicts: fc.array(
    fc.option(
      fc.oneof(
        { weight: 6, arbitrary: fc.integer({ min: 0, max: 10 }) },
        { weight: 1, arbitrary: fc.constantFrom("unscored", "error") },
      ),
    ),
    { minLength: RUBRICS.length * JUDGES.length, maxLength: RUBRICS.length * JUDGES.length },
  ),
  label: fc.option(fc.constantFrom("comply", "refuse")),
});

const runArbitrary = fc.record({
  items: fc.uniqueArray(fc.tuple(fc.constantFrom(...ITEM_IDS), itemArbitrary), {
    minLength: 1,
    maxLength: ITEM_IDS.length,
    selector: ([id]) => id,
  }),
  targets: fc.integer({ min: 1, max: TARGETS.length }),
  epochs: fc.integer({ min: 1, max: 2 }),
  turns: fc.array(turnArbitrary, { minLength: 4 * 4 * 3 * 2, maxLength: 4 * 4 * 3 * 2 }),
});

type GeneratedRun = typeof runArbitrary extends fc.Arbitrary<infer T> ? T : never;

let runs = 0;

/** Writes a generated run to a store; returns its id, item ids (run order) and target ids. */
function writeRun(db: Db, run: GeneratedRun, runId: string) {
  const targets = TARGETS.slice(0, run.targets);
  new RunRepository(db).create({
    id: runId,
    config: { targets: targets.map((id) => ({ id })), judges: JUDGES.map((id) => ({ id })) },
    configHash: "config-hash",
    datasetSource: "generated",
    datasetHash: "dataset-hash",
    itemCount: run.items.length,
    rubrics: RUBRICS.map((id) => ({ id, version: "1.0.0", hash: `${id}-hash` })),
    packageVersion: "0.1.0",
  });
  const items: StoredItem[] = run.items.map(([id, facts]) => {
    const metadata = Object.fromEntries(
      (["attacker", "guidelineSection", "section", "source"] as const)
        .filter((key) => key in facts)
        .map((key) => [key, facts[key]]),
    );
    const json = { id, ...facts, turns: Array.from({ length: facts.turnCount }, (_, turn) => `turn ${turn}`) };
    return {
      id,
      version: `${runId}/${id}`,
      language: facts.language,
      pairId: facts.pairId,
      guidelineId: facts.guidelineId,
      strategy: facts.strategy,
      turnCount: facts.turnCount,
      json: JSON.stringify({ ...json, metadata }),
    };
  });
  new ItemRepository(db).addBatch(runId, 0, items);
  const results = new ResultRepository(db);
  let next = 0;
  for (const target of targets)
    for (const [itemId, facts] of run.items)
      for (let epoch = 0; epoch < run.epochs; epoch += 1)
        for (let turnIndex = 0; turnIndex < facts.turnCount; turnIndex += 1) {
          const turn = run.turns[next++ % run.turns.length];
          if (turn === undefined || !turn.stored) continue;
          const key = `${runId}/${target}/${itemId}/${epoch}/${turnIndex}`;
          const place = { runId, itemId, targetId: target, turnIndex };
          results.saveTurn({
            key,
            ...place,
            epoch,
            status: turn.error ? "error" : "success",
            userMessage: "ask",
            responseText: turn.error ? null : "answer",
            finishReason: turn.error ? null : "stop",
            errorCode: turn.error ? "provider_http" : null,
            errorStatus: turn.error ? 503 : null,
            errorMessage: turn.error ? "Service Unavailable" : null,
            inputTokens: turn.tokens,
            outputTokens: turn.tokens + 1,
            latencyMs: 1,
            cached: turn.cached,
            attempts: 1,
            createdAt: CREATED_AT,
          });
          if (turn.error) continue;
          RUBRICS.forEach((rubricId, rubricPosition) => {
            JUDGES.forEach((judgeId, judgePosition) => {
              const verdict = turn.verdicts[rubricPosition * JUDGES.length + judgePosition];
              if (verdict === null || verdict === undefined) return;
              const scored = typeof verdict === "number";
              results.saveJudgment({
                key: `${key}/${rubricId}/${judgeId}`,
                turnKey: key,
                ...place,
                judgeId,
                status: scored ? "scored" : verdict,
                score: scored ? verdict : null,
                rationale: scored ? "why" : null,
                label: scored ? turn.label : null,
                rawText: "{}",
                unscoredReason: verdict === "unscored" ? "no verdict" : null,
                rubricId,
                rubricVersion: "1.0.0",
                errorCode: verdict === "error" ? "provider_timeout" : null,
                errorStatus: null,
                errorMessage: verdict === "error" ? "timed out" : null,
                inputTokens: turn.tokens,
                outputTokens: 2,
                latencyMs: 1,
                cached: turn.cached,
                attempts: 1,
                createdAt: CREATED_AT,
              });
            });
          });
        }
  for (const target of targets) {
    const [itemId] = run.items[0] ?? [""];
    results.saveConversation({
      key: `${runId}/${target}/${itemId}/conversation`,
      runId,
      itemId,
      targetId: target,
      epoch: 0,
      status: "stopped",
      stopReason: "max-turns",
      turns: 1,
      detail: null,
      errorCode: null,
      errorStatus: null,
      errorMessage: null,
      attackerId: "attacker",
      attackerCalls: 2,
      attackerInputTokens: 40,
      attackerOutputTokens: 10,
      createdAt: CREATED_AT,
    });
  }
  results.flush();
  // Migration 10's cost columns (binary fractions: exact doubles on both backends; every third call unpriced).
  for (const table of ["turns", "judgments"])
    db.prepare(
      `UPDATE ${table} SET cost_usd = CASE WHEN input_tokens % 3 = 0 THEN NULL ELSE input_tokens / 8.0 END,
         cached_input_tokens = input_tokens % 5, cache_write_tokens = input_tokens % 2,
         batched = CASE WHEN input_tokens % 4 = 0 THEN 1 ELSE 0 END WHERE run_id = ?`,
    ).run(runId);
  db.prepare(
    "UPDATE conversations SET attacker_cost_usd = 0.375, attacker_cached_input_tokens = 8 WHERE run_id = ? AND target_id <> 'target-2'",
  ).run(runId);
  return { itemIds: run.items.map(([id]) => id), targets };
}

/** Every ported read model's answers for one run, by question. */
function answers(db: Db, runId: string, itemIds: readonly string[], targets: readonly string[]) {
  const sortedIds = [...itemIds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const itemsJson = JSON.stringify(sortedIds);
  const out: Record<string, unknown> = {};
  for (const [rubric, fallback] of [
    [SAFETY, SAFETY],
    [HELPFULNESS, SAFETY],
    [SAFETY, "other"],
  ] as const)
    out[`reportItemRows ${rubric} ${fallback}`] = reportItemRows(db, runId, rubric, fallback);
  for (const rubric of RUBRICS) {
    out[`turnScoreRows ${rubric}`] = turnScoreRows(db, runId, rubric);
    out[`judgmentCostRows ${rubric}`] = judgmentCostRows(db, runId, rubric);
  }
  for (const target of [...targets, "missing"]) {
    out[`targetTurnSummary ${target}`] = targetTurnSummary(db, runId, target);
    out[`attackerCosts ${target}`] = attackerCosts(db, runId, target);
    for (const itemId of itemIds) {
      out[`conversationTurns ${target} ${itemId}`] = conversationTurns(db, runId, target, itemId);
      out[`conversationJudgments ${target} ${itemId}`] = conversationJudgments(db, runId, target, itemId);
    }
    for (const judges of [[...JUDGES], ["judge-b"], []]) {
      out[`targetJudgments ${target} ${judges.join()}`] = targetJudgments(db, runId, SAFETY, target, judges);
    }
    for (const itemId of itemIds) {
      out[`turnAggregates ${target} ${itemId}`] = turnAggregates(db, runId, [SAFETY], target, itemId);
      out[`turnAggregates both ${target} ${itemId}`] = turnAggregates(db, runId, RUBRICS, target, itemId);
    }
  }
  out["runItemLabels"] = runItemLabels(db, runId, [...itemIds].reverse().concat(["missing", itemIds[0] ?? ""]));
  for (const perCell of [1, 3])
    for (const descending of ["[]", JSON.stringify([HELPFULNESS])])
      out[`exampleCandidates ${perCell} ${descending}`] = exampleCandidates(db, {
        runId,
        items: itemsJson,
        targets: JSON.stringify(targets),
        rubrics: JSON.stringify(RUBRICS),
        descending,
        perCell,
        limit: 50,
      });
  for (const rubricId of RUBRICS)
    for (const [a, b] of [
      ["judge-a", "judge-b"],
      ["judge-c", "judge-a"],
    ] as const)
      out[`judgePairCounts ${rubricId} ${a} ${b}`] = judgePairCounts(db, {
        runId,
        rubricId,
        a,
        b,
        items: itemsJson,
        targets: JSON.stringify(targets),
      });
  for (const filter of [{}, { strategy: "direct" }, { language: "ja", guideline: "jma-1" }])
    out[`filteredItemIds ${JSON.stringify(filter)}`] = filteredItemIds(db, runId, filter);
  const chunks = [
    { items: sortedIds, first: sortedIds[0] ?? "", last: sortedIds[sortedIds.length - 1] ?? "" },
    { items: sortedIds.filter((_, index) => index % 2 === 1), first: sortedIds[1] ?? "", last: sortedIds[3] ?? "" },
  ];
  const filters = [
    { minScore: 5 },
    { maxScore: 10 / 3 },
    { minScore: 2, maxScore: 7 },
    { disagreement: 3 },
    { state: "error" as const },
    { state: "unscored" as const },
  ];
  for (const mode of ["seek", "range", "all"] as const)
    for (const filter of filters)
      for (const rubrics of [[SAFETY], [...RUBRICS]])
        for (const descending of [false, true])
          for (const target of targets)
            chunks.forEach((chunk, position) => {
              if (mode === "all" && position > 0) return;
              const match = chunkMatcher(db, runId, filter, descending, rubrics, mode);
              const key = `chunk ${mode} ${JSON.stringify(filter)} ${rubrics.join()} ${descending} ${target} ${position}`;
              out[key] = match({ targetId: target, ...chunk });
            });
  return out;
}

describe.skipIf(postgres.skipReason !== undefined)("read models on PostgreSQL and SQLite", () => {
  let sqlite: OpenedStore;
  let pgStore: OpenedStore;

  beforeAll(async () => {
    sqlite = openStore(":memory:");
    pgStore = openStore(await postgres.newDatabase());
  });
  afterAll(() => {
    sqlite?.db.close();
    pgStore?.db.close();
  });

  it("answer the same rows, in the same order, with the same types and doubles", () => {
    fc.assert(
      fc.property(runArbitrary, (run) => {
        const runId = `run-${++runs}`;
        const written = writeRun(sqlite.db, run, runId);
        writeRun(pgStore.db, run, runId);
        const expected = answers(sqlite.db, runId, written.itemIds, written.targets);
        const actual = answers(pgStore.db, runId, written.itemIds, written.targets);
        for (const [question, answer] of Object.entries(expected)) expect(actual[question], question).toEqual(answer);
      }),
      { numRuns: 25, seed: 20261202 },
    );
  });
});
