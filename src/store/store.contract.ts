/**
 * What any store backend must do, through the store's public API (index.ts): open with its migrations applied,
 * keep runs (list, resolve, status), a run's items, turn and judgment results under deterministic keys (a key
 * written again replaces its row: resume and retries are idempotent), how conversations ended, run leases, the
 * response cache, the read models reports and the viewer use, and failures as `MedsafetyError` kinds. One suite,
 * run against SQLite today (store-contract.test.ts) and against every later backend.
 */
import { afterEach, describe, expect, it } from "vitest";
import { MedsafetyError } from "../core/index.js";
import {
  callOutcomes,
  checkRunIndexes,
  checkStoreIntegrity,
  conversationJudgments,
  conversationTurns,
  ItemRepository,
  type JudgmentRow,
  judgmentCounts,
  MIGRATIONS,
  type NewRun,
  type OpenedStore,
  ResponseCacheRepository,
  ResultRepository,
  RunLeaseRepository,
  RunRepository,
  runTurnCount,
  type StoredItem,
  type TurnRow,
  targetTurnSummary,
  turnScoreRows,
} from "./index.js";

/** How the suite reaches one backend. */
export interface StoreContractBackend {
  /** Opens a new, empty store. */
  create(): OpenedStore;
  /** Opens the same store again, as a restarted process (or a second one) would. */
  reopen(store: OpenedStore): OpenedStore;
  /** Closes every store this backend opened and removes what it created. */
  dispose(): void;
}

const CREATED_AT = "2026-01-01T00:00:00.000Z";

function newRun(id: string): NewRun {
  return {
    id,
    config: { targets: [{ id: "target-1" }], concurrency: 4 },
    configHash: "config-hash",
    datasetSource: "builtin:sample",
    datasetHash: "dataset-hash",
    itemCount: 1,
    rubrics: [{ id: "jmedethic-safety", version: "1.0.0", hash: "rubric-hash" }],
    packageVersion: "0.1.0",
  };
}

function storedItem(id: string): StoredItem {
  const item = { id, language: "en", guidelineId: "jma-1", strategy: "s", turns: ["first", "second"] };
  return {
    id,
    version: `version-of-${id}`,
    language: "en",
    pairId: undefined,
    guidelineId: "jma-1",
    strategy: "s",
    turnCount: 2,
    json: JSON.stringify(item),
  };
}

function turnRow(turnIndex: number, overrides: Partial<TurnRow> = {}): TurnRow {
  return {
    key: `turn-${turnIndex}`,
    runId: "run-a",
    itemId: "item-1",
    targetId: "target-1",
    turnIndex,
    epoch: 0,
    status: "success",
    userMessage: `user ${turnIndex}`,
    responseText: `reply ${turnIndex}`,
    finishReason: "stop",
    errorCode: null,
    errorStatus: null,
    errorMessage: null,
    inputTokens: 3,
    outputTokens: 5,
    latencyMs: 12.5,
    cached: false,
    attempts: 1,
    createdAt: CREATED_AT,
    ...overrides,
  };
}

function judgmentRow(turnIndex: number, judgeId: string, overrides: Partial<JudgmentRow> = {}): JudgmentRow {
  return {
    key: `judgment-${turnIndex}-${judgeId}`,
    turnKey: `turn-${turnIndex}`,
    runId: "run-a",
    itemId: "item-1",
    targetId: "target-1",
    turnIndex,
    judgeId,
    status: "scored",
    score: 8,
    rationale: "Refused.",
    label: null,
    rawText: '{"rationale": "Refused.", "score": 8}',
    unscoredReason: null,
    rubricId: "jmedethic-safety",
    rubricVersion: "1.0.0",
    errorCode: null,
    errorStatus: null,
    errorMessage: null,
    inputTokens: 10,
    outputTokens: 4,
    latencyMs: 3,
    cached: false,
    attempts: 1,
    createdAt: CREATED_AT,
    ...overrides,
  };
}

/** A store holding run-a (one item, two turns: the first judged by two judges, the second failed). */
function seeded(store: OpenedStore): ResultRepository {
  new RunRepository(store.db).create(newRun("run-a"));
  new ItemRepository(store.db).addBatch("run-a", 0, [storedItem("item-1")]);
  const results = new ResultRepository(store.db);
  results.saveTurn(turnRow(0));
  results.saveJudgment(judgmentRow(0, "judge-a", { score: 8 }));
  results.saveJudgment(judgmentRow(0, "judge-b", { score: 6 }));
  results.saveTurn(
    turnRow(1, {
      status: "error",
      responseText: null,
      finishReason: null,
      errorCode: "provider_http",
      errorStatus: 503,
      errorMessage: "Service Unavailable",
    }),
  );
  results.flush();
  return results;
}

async function rejectionOf(action: () => unknown): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error("expected the store to refuse");
}

/** Registers the store contract for one backend. */
export function storeContract(name: string, makeBackend: () => StoreContractBackend): void {
  describe(`store contract: ${name}`, () => {
    let backend: StoreContractBackend | undefined;
    const create = (): OpenedStore => {
      backend ??= makeBackend();
      return backend.create();
    };
    const reopen = (store: OpenedStore): OpenedStore => {
      if (backend === undefined) throw new Error("create a store first");
      return backend.reopen(store);
    };
    afterEach(() => {
      backend?.dispose();
      backend = undefined;
    });

    it("applies every migration, in order, when a new store opens, and none when it opens again", () => {
      const store = create();
      expect(store.applied.map((migration) => migration.version)).toEqual(
        MIGRATIONS.map((migration) => migration.version),
      );
      expect(reopen(store).applied).toEqual([]);
    });

    it("creates a run and reads it back, lists runs newest first and resolves latest, ids and prefixes", () => {
      const runs = new RunRepository(create().db);
      runs.create(newRun("run-a1"), new Date("2026-01-01T00:00:00Z"));
      runs.create(newRun("run-b2"), new Date("2026-01-02T00:00:00Z"));
      expect(runs.get("run-a1")).toMatchObject({ ...newRun("run-a1"), status: "started", finishedAt: null });
      expect(runs.list().map((run) => run.id)).toEqual(["run-b2", "run-a1"]);
      expect(runs.list(1).map((run) => run.id)).toEqual(["run-b2"]);
      expect(runs.resolve("latest").id).toBe("run-b2");
      expect(runs.resolve("run-a").id).toBe("run-a1");
      expect(runs.get("missing")).toBeUndefined();
    });

    it("refuses an unknown or ambiguous run with run_not_found", async () => {
      const runs = new RunRepository(create().db);
      expect(await rejectionOf(() => runs.resolve("latest"))).toMatchObject({ code: "run_not_found" });
      runs.create(newRun("run-a1"));
      runs.create(newRun("run-a2"));
      for (const reference of ["nope", "run-a"]) {
        const error = await rejectionOf(() => runs.resolve(reference));
        expect(error).toBeInstanceOf(MedsafetyError);
        expect(error).toMatchObject({ code: "run_not_found" });
      }
    });

    it("records a final status with its time and error, and clears the finish time when a run starts again", () => {
      const runs = new RunRepository(create().db);
      runs.create(newRun("run-a"));
      runs.setStatus("run-a", "error", "boom", new Date("2026-01-03T00:00:00Z"));
      expect(runs.get("run-a")).toMatchObject({
        status: "error",
        errorMessage: "boom",
        finishedAt: "2026-01-03T00:00:00.000Z",
      });
      runs.setStatus("run-a", "started");
      expect(runs.get("run-a")).toMatchObject({ status: "started", finishedAt: null });
    });

    it("keeps a run's items in order and counts their planned turns", () => {
      const store = create();
      new RunRepository(store.db).create(newRun("run-a"));
      const items = new ItemRepository(store.db);
      items.addBatch("run-a", 0, [storedItem("item-1"), storedItem("item-2")]);
      items.addBatch("run-a", 2, [storedItem("item-3")]);
      expect(items.count("run-a")).toBe(3);
      expect(items.turnTotal("run-a")).toBe(6);
    });

    it("returns stored results as a conversation's progress, for resume", () => {
      const store = create();
      const results = seeded(store);
      expect(results.hasResults("run-a")).toBe(true);
      expect(results.hasResults("run-other")).toBe(false);
      const progress = results.progress("run-a", "target-1", "item-1");
      expect([...progress.turns.entries()]).toEqual([
        [0, { key: "turn-0", status: "success", responseText: "reply 0", userMessage: "user 0" }],
        [1, { key: "turn-1", status: "error", responseText: null, userMessage: "user 1" }],
      ]);
      expect(new Map(progress.judgments)).toEqual(
        new Map([
          ["judgment-0-judge-a", "scored"],
          ["judgment-0-judge-b", "scored"],
        ]),
      );
      expect(results.progress("run-a", "target-2", "item-1").turns.size).toBe(0);
    });

    it("keeps each key once: writing a key again (a retry, a resume) replaces its row", () => {
      const store = create();
      const results = seeded(store);
      results.saveTurn(turnRow(1, { responseText: "retried", attempts: 2 }));
      results.saveJudgment(judgmentRow(0, "judge-a", { score: 9 }));
      results.saveJudgment(judgmentRow(0, "judge-a", { score: 9 }));
      results.flush();
      expect(runTurnCount(store.db, "run-a")).toBe(2);
      expect(results.progress("run-a", "target-1", "item-1").turns.get(1)).toMatchObject({
        status: "success",
        responseText: "retried",
      });
      expect(judgmentCounts(store.db, "run-a", "jmedethic-safety")).toEqual(
        expect.arrayContaining([
          { targetId: "target-1", judgeId: "judge-a", scored: 1, unscored: 0, errors: 0, sum: 9 },
          { targetId: "target-1", judgeId: "judge-b", scored: 1, unscored: 0, errors: 0, sum: 6 },
        ]),
      );
    });

    it("keeps what was written across a reopen", () => {
      const store = create();
      seeded(store);
      const again = reopen(store);
      expect(new RunRepository(again.db).get("run-a")?.configHash).toBe("config-hash");
      expect(new ResultRepository(again.db).progress("run-a", "target-1", "item-1").turns.size).toBe(2);
    });

    it("stores how a conversation ended and returns it with the progress", () => {
      const store = create();
      const results = seeded(store);
      results.saveConversation({
        key: "conversation-1",
        runId: "run-a",
        itemId: "item-1",
        targetId: "target-1",
        epoch: 0,
        status: "stopped",
        stopReason: "max-turns",
        turns: 2,
        detail: null,
        errorCode: null,
        errorStatus: null,
        errorMessage: null,
        attackerId: "attacker",
        attackerCalls: 1,
        attackerInputTokens: 10,
        attackerOutputTokens: 5,
        createdAt: CREATED_AT,
      });
      results.flush();
      expect(results.progress("run-a", "target-1", "item-1").stop).toMatchObject({
        key: "conversation-1",
        status: "stopped",
        stopReason: "max-turns",
        turns: 2,
      });
    });

    it("refuses a scored judgment without a score as a store_error, storing nothing of it", async () => {
      const store = create();
      const results = seeded(store);
      results.saveJudgment(judgmentRow(1, "judge-a", { status: "scored", score: null }));
      const error = await rejectionOf(() => results.flush());
      expect(error).toBeInstanceOf(MedsafetyError);
      expect(error).toMatchObject({ code: "store_error" });
      expect(conversationJudgments(store.db, "run-a", "target-1", "item-1")).toHaveLength(2);
    });

    it("gives a run's lease to one holder at a time, hands a stale one over and lets only the holder release", () => {
      const store = create();
      new RunRepository(store.db).create(newRun("run-a"));
      const leases = new RunLeaseRepository(store.db);
      const policy = { staleAfterMs: 60_000, host: "here", isAlive: () => true };
      const claim = (holder: string) => ({ holder, host: "there", pid: 1, command: "run" });
      const start = new Date("2026-01-01T00:00:00Z");
      expect(leases.acquire("run-a", claim("one"), policy, start)).toEqual({ acquired: true });
      const refused = leases.acquire("run-a", claim("two"), policy, start);
      expect(refused).toMatchObject({ acquired: false, heldBy: { holder: "one" } });
      const later = new Date(start.getTime() + 61_000);
      expect(leases.acquire("run-a", claim("two"), policy, later)).toMatchObject({
        acquired: true,
        tookOver: { holder: "one" },
      });
      expect(leases.heartbeat("run-a", "one", later)).toBe(false);
      expect(leases.heartbeat("run-a", "two", later)).toBe(true);
      leases.release("run-a", "one");
      expect(leases.get("run-a")?.holder).toBe("two");
      leases.release("run-a", "two");
      expect(leases.get("run-a")).toBeUndefined();
    });

    it("round-trips a cached response and replaces it on a second write", () => {
      const cache = new ResponseCacheRepository(create().db);
      const response = {
        text: "こんにちは",
        usage: { inputTokens: 2, outputTokens: 3 },
        finishReason: "stop",
        latencyMs: 40,
        cached: false,
      };
      expect(cache.get("k")).toBeUndefined();
      cache.set("k", response);
      expect(cache.get("k")).toEqual(response);
      cache.set("k", { ...response, text: "second" });
      expect(cache.get("k")?.text).toBe("second");
    });

    it("answers the read models of reports, the viewer and the end-of-run summary", () => {
      const store = create();
      seeded(store);
      expect(targetTurnSummary(store.db, "run-a", "target-1")).toEqual({
        usage: { calls: 2, cached: 0, inputTokens: 6, outputTokens: 10 },
        answered: 1,
        failedItems: ["item-1"],
        failedTurns: [1],
      });
      expect(turnScoreRows(store.db, "run-a", "jmedethic-safety")).toEqual([
        { targetId: "target-1", score: 7, errors: 0, guidelineId: "jma-1", source: null },
      ]);
      expect(conversationTurns(store.db, "run-a", "target-1", "item-1").map((turn) => turn.status)).toEqual([
        "success",
        "error",
      ]);
      expect(
        conversationJudgments(store.db, "run-a", "target-1", "item-1").map((row) => [row.judgeId, row.score]),
      ).toEqual([
        ["judge-a", 8],
        ["judge-b", 6],
      ]);
      expect(callOutcomes(store.db, "run-a")).toEqual(
        expect.arrayContaining([
          { role: "target", modelId: "target-1", outcome: "ok", code: "", httpStatus: null, calls: 1 },
          { role: "target", modelId: "target-1", outcome: "error", code: "provider_http", httpStatus: 503, calls: 1 },
          { role: "judge", modelId: "judge-a", outcome: "ok", code: "", httpStatus: null, calls: 1 },
        ]),
      );
    });

    it("passes its own integrity and index checks", () => {
      const store = create();
      seeded(store);
      expect(checkStoreIntegrity(store.db)).toMatchObject({ ok: true });
      expect(checkRunIndexes(store.db, "run-a")).toEqual([]);
    });
  });
}
