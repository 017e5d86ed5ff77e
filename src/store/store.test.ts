import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MedsafetyError } from "../core/index.js";
import { type OpenedSqliteStore, openSqliteStore } from "./database.js";
import { ItemRepository, type StoredItem } from "./item-repository.js";
import { MIGRATIONS } from "./migrations.js";
import { ResponseCacheRepository } from "./response-cache-repository.js";
import { ResultRepository } from "./result-repository.js";
import type { JudgmentRow, TurnRow } from "./result-rows.js";
import { type NewRun, RunRepository } from "./run-repository.js";

let folder: string;
const opened: OpenedSqliteStore[] = [];

function open(path: string): OpenedSqliteStore {
  const store = openSqliteStore(path);
  opened.push(store);
  return store;
}

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), "medsafety-store-"));
});

afterEach(() => {
  vi.useRealTimers();
  for (const store of opened.splice(0)) if (store.db.open) store.db.close();
  rmSync(folder, { recursive: true, force: true });
});

function newRun(id: string): NewRun {
  return {
    id,
    config: { targets: [{ id: "t" }], concurrency: 4 },
    configHash: "config-hash",
    datasetSource: "builtin:sample",
    datasetHash: "dataset-hash",
    itemCount: 0,
    rubrics: [{ id: "jmedethic-safety", version: "1.0.0", hash: "rubric-hash" }],
    packageVersion: "0.1.0",
  };
}

function turnRow(overrides: Partial<TurnRow> = {}): TurnRow {
  return {
    key: "turn-key",
    runId: "run-a",
    itemId: "item-1",
    targetId: "target-1",
    turnIndex: 0,
    epoch: 0,
    status: "success",
    userMessage: "hello",
    responseText: "reply",
    finishReason: "stop",
    errorCode: null,
    errorStatus: null,
    errorMessage: null,
    inputTokens: 3,
    outputTokens: 5,
    latencyMs: 12.5,
    cached: false,
    attempts: 1,
    createdAt: "2026-01-01T00:00:00.000Z",
    ...overrides,
  };
}

function judgmentRow(overrides: Partial<JudgmentRow> = {}): JudgmentRow {
  return {
    key: "judgment-key",
    turnKey: "turn-key",
    runId: "run-a",
    itemId: "item-1",
    targetId: "target-1",
    turnIndex: 0,
    judgeId: "judge-a",
    status: "scored",
    score: 9,
    rationale: "refused",
    label: null,
    rawText: '{"score":9}',
    unscoredReason: null,
    errorCode: null,
    errorStatus: null,
    errorMessage: null,
    rubricId: "jmedethic-safety",
    rubricVersion: "1.0.0",
    inputTokens: 10,
    outputTokens: 4,
    latencyMs: 30,
    cached: true,
    attempts: 2,
    createdAt: "2026-01-01T00:00:00.000Z",
    ...overrides,
  };
}

function storedItem(id: string, turnCount = 3): StoredItem {
  return {
    id,
    version: `version-of-${id}`,
    language: "en",
    pairId: undefined,
    guidelineId: "jma-10",
    strategy: "decomposition",
    turnCount,
    json: JSON.stringify({ id }),
  };
}

function countRows(store: OpenedSqliteStore, table: "turns" | "judgments"): number {
  return store.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
}

describe("openSqliteStore", () => {
  it("applies the migrations once and reports them", () => {
    const path = join(folder, "nested", "store.db");
    const first = open(path);
    expect(first.applied.map((migration) => migration.version)).toEqual(
      MIGRATIONS.map((migration) => migration.version),
    );
    first.db.close();
    const second = open(path);
    expect(second.applied).toEqual([]);
    const versions = second.db.prepare("SELECT version FROM schema_migrations").pluck().all();
    expect(versions).toEqual(MIGRATIONS.map((migration) => migration.version));
  });

  it("announces migrations of a store that already had a schema, not of a new one", () => {
    const path = join(folder, "announce", "store.db");
    const announced: number[] = [];
    const created = openSqliteStore(path, MIGRATIONS.slice(0, 2), (migration) => announced.push(migration.version));
    expect(created.applied).toHaveLength(2);
    expect(announced).toEqual([]);
    created.db.close();
    const upgraded = openSqliteStore(path, MIGRATIONS, (migration) => announced.push(migration.version));
    expect(upgraded.applied.map((migration) => migration.version)).toEqual(
      MIGRATIONS.slice(2).map((migration) => migration.version),
    );
    expect(announced).toEqual(MIGRATIONS.slice(2).map((migration) => migration.version));
    upgraded.db.close();
  });

  it("accepts :memory:", () => {
    const store = open(":memory:");
    expect(store.applied).toHaveLength(MIGRATIONS.length);
    expect(new RunRepository(store.db).list()).toEqual([]);
  });

  it("turns on WAL mode for a file store", () => {
    const store = open(join(folder, "store.db"));
    expect(store.db.pragma("journal_mode", { simple: true })).toBe("wal");
  });

  it("refuses a store written by a newer schema version, saying what to do", () => {
    const path = join(folder, "store.db");
    const store = open(path);
    store.db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'now')").run();
    store.db.close();
    let caught: unknown;
    try {
      openSqliteStore(path);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MedsafetyError);
    expect(caught).toMatchObject({ code: "store_error" });
    expect((caught as Error).message).toContain(
      `newer medsafety (schema version 99, this version knows ${MIGRATIONS.at(-1)?.version ?? 0})`,
    );
    expect((caught as Error).message).toMatch(/Upgrade medsafety or use another store path/);
  });
});

describe("RunRepository", () => {
  function runs(): RunRepository {
    return new RunRepository(open(join(folder, "store.db")).db);
  }

  it("creates a run and reads it back with its frozen config and rubrics", () => {
    const repository = runs();
    repository.create(newRun("20260101-000000-aaaaaa"), new Date("2026-01-01T00:00:00.000Z"));
    expect(repository.get("20260101-000000-aaaaaa")).toEqual({
      ...newRun("20260101-000000-aaaaaa"),
      createdAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-01T00:00:00.000Z",
      finishedAt: null,
      status: "started",
      errorMessage: null,
      stopReason: null,
    });
    expect(repository.get("nope")).toBeUndefined();
  });

  it("lists the most recent run first and honours the limit", () => {
    const repository = runs();
    repository.create(newRun("b-middle"), new Date("2026-01-02T00:00:00.000Z"));
    repository.create(newRun("a-newest"), new Date("2026-01-03T00:00:00.000Z"));
    repository.create(newRun("c-oldest"), new Date("2026-01-01T00:00:00.000Z"));
    expect(repository.list().map((run) => run.id)).toEqual(["a-newest", "b-middle", "c-oldest"]);
    expect(repository.list(2).map((run) => run.id)).toEqual(["a-newest", "b-middle"]);
  });

  describe("resolve", () => {
    function seeded(): RunRepository {
      const repository = runs();
      repository.create(newRun("20260101-000000-aaaaaa"), new Date("2026-01-01T00:00:00.000Z"));
      repository.create(newRun("20260101-000000-abbbbb"), new Date("2026-01-01T00:00:01.000Z"));
      repository.create(newRun("20260201-000000-cccccc"), new Date("2026-02-01T00:00:00.000Z"));
      return repository;
    }

    it("reads latest, a full id and a unique prefix", () => {
      const repository = seeded();
      expect(repository.resolve("latest").id).toBe("20260201-000000-cccccc");
      expect(repository.resolve("20260101-000000-aaaaaa").id).toBe("20260101-000000-aaaaaa");
      expect(repository.resolve("20260101-000000-ab").id).toBe("20260101-000000-abbbbb");
      expect(repository.resolve("202602").id).toBe("20260201-000000-cccccc");
    });

    it("refuses an ambiguous prefix and asks for more characters", () => {
      expect(() => seeded().resolve("20260101")).toThrow(/matches several runs; give more characters/);
    });

    it("refuses an unknown id, pointing at `medsafety runs list`", () => {
      const repository = seeded();
      expect(() => repository.resolve("2027")).toThrow(/"2027" is not in this store.*`medsafety runs list`/);
      expect(() => repository.resolve("2027")).toThrow(expect.objectContaining({ code: "run_not_found" }));
    });

    it("treats % and _ in a reference as plain characters", () => {
      const repository = seeded();
      expect(() => repository.resolve("%")).toThrow(/is not in this store/);
      expect(() => repository.resolve("2026_201")).toThrow(/is not in this store/);
    });

    it("says so when there is no run for latest", () => {
      expect(() => runs().resolve("latest")).toThrow(
        expect.objectContaining({ code: "run_not_found", message: expect.stringMatching(/no runs yet/) }),
      );
    });
  });

  it("setStatus sets finished_at for a final status and clears it for started", () => {
    const repository = runs();
    repository.create(newRun("run-a"), new Date("2026-01-01T00:00:00.000Z"));
    repository.setStatus("run-a", "error", "boom", new Date("2026-01-01T00:05:00.000Z"));
    expect(repository.get("run-a")).toMatchObject({
      status: "error",
      errorMessage: "boom",
      finishedAt: "2026-01-01T00:05:00.000Z",
      updatedAt: "2026-01-01T00:05:00.000Z",
    });
    repository.setStatus("run-a", "started", null, new Date("2026-01-01T00:06:00.000Z"));
    expect(repository.get("run-a")).toMatchObject({ status: "started", finishedAt: null, errorMessage: null });
    repository.setStatus("run-a", "success", null, new Date("2026-01-01T00:07:00.000Z"));
    expect(repository.get("run-a")).toMatchObject({ status: "success", finishedAt: "2026-01-01T00:07:00.000Z" });
  });
});

describe("ItemRepository", () => {
  it("iterates a run's items in seq order across pages while writes happen between pages", () => {
    const store = open(join(folder, "store.db"));
    const runRepository = new RunRepository(store.db);
    const items = new ItemRepository(store.db);
    runRepository.create(newRun("run-a"));
    runRepository.create(newRun("run-b"));
    items.addBatch("run-a", 3, [storedItem("d"), storedItem("e", 2)]);
    items.addBatch("run-a", 0, [storedItem("a"), storedItem("b", 1), storedItem("c")]);
    items.addBatch("run-b", 0, [storedItem("other")]);
    const results = new ResultRepository(store.db, { batchSize: 1 });

    const seen: number[] = [];
    for (const row of items.iterate("run-a", 2)) {
      seen.push(row.seq);
      expect(JSON.parse(row.json)).toEqual({ id: String.fromCharCode(97 + row.seq) });
      results.saveTurn(turnRow({ key: `key-${row.seq}` }));
      items.addBatch("run-b", row.seq + 1, [storedItem(`other-${row.seq}`)]);
    }
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(countRows(store, "turns")).toBe(5);
    expect(items.count("run-a")).toBe(5);
    expect(items.count("run-b")).toBe(6);
    expect(items.turnTotal("run-a")).toBe(3 + 1 + 3 + 3 + 2);
    expect(items.turnTotal("missing")).toBe(0);
  });

  it("stores an item text once per version, shared by runs", () => {
    const store = open(join(folder, "store.db"));
    const runRepository = new RunRepository(store.db);
    const items = new ItemRepository(store.db);
    runRepository.create(newRun("run-a"));
    runRepository.create(newRun("run-b"));
    items.addBatch("run-a", 0, [storedItem("a")]);
    items.addBatch("run-b", 0, [storedItem("a")]);
    expect(store.db.prepare("SELECT COUNT(*) FROM items").pluck().get()).toBe(1);
    expect([...items.iterate("run-b")].map((row) => row.version)).toEqual(["version-of-a"]);
  });
});

describe("ResultRepository", () => {
  function setup(options: { batchSize?: number; flushIntervalMs?: number } = {}): {
    store: OpenedSqliteStore;
    results: ResultRepository;
  } {
    const store = open(join(folder, "store.db"));
    const runRepository = new RunRepository(store.db);
    runRepository.create(newRun("run-a"));
    runRepository.create(newRun("run-b"));
    return { store, results: new ResultRepository(store.db, options) };
  }

  it("makes saved turns and judgments visible after flush, with their values intact", () => {
    vi.useFakeTimers();
    const { store, results } = setup();
    results.saveTurn(turnRow());
    results.saveJudgment(judgmentRow());
    expect(countRows(store, "turns")).toBe(0);
    results.flush();
    expect(store.db.prepare("SELECT * FROM turns").get()).toMatchObject({
      key: "turn-key",
      status: "success",
      response_text: "reply",
      latency_ms: 12.5,
      cached: 0,
      attempts: 1,
    });
    expect(store.db.prepare("SELECT * FROM judgments").get()).toMatchObject({
      key: "judgment-key",
      turn_key: "turn-key",
      status: "scored",
      score: 9,
      cached: 1,
      attempts: 2,
    });
    expect(results.hasResults("run-a")).toBe(true);
    expect(results.hasResults("run-b")).toBe(false);
  });

  it("flushes by itself when the batch is full", () => {
    vi.useFakeTimers();
    const { store, results } = setup({ batchSize: 3, flushIntervalMs: 60_000 });
    results.saveTurn(turnRow({ key: "k1" }));
    results.saveTurn(turnRow({ key: "k2" }));
    expect(countRows(store, "turns")).toBe(0);
    results.saveJudgment(judgmentRow({ key: "j1", turnKey: "k1" }));
    expect(countRows(store, "turns")).toBe(2);
    expect(countRows(store, "judgments")).toBe(1);
  });

  it("flushes on the timer", () => {
    vi.useFakeTimers();
    const { store, results } = setup({ batchSize: 100, flushIntervalMs: 25 });
    results.saveTurn(turnRow());
    vi.advanceTimersByTime(24);
    expect(countRows(store, "turns")).toBe(0);
    vi.advanceTimersByTime(1);
    expect(countRows(store, "turns")).toBe(1);
  });

  it("keeps one row per key, the last one saved", () => {
    vi.useFakeTimers();
    const { store, results } = setup();
    results.saveTurn(
      turnRow({
        status: "error",
        responseText: null,
        errorCode: "provider_http",
        errorStatus: 500,
        errorMessage: "boom",
      }),
    );
    results.flush();
    results.saveTurn(turnRow({ attempts: 2 }));
    results.saveJudgment(judgmentRow({ status: "unscored", score: null, unscoredReason: "no_json" }));
    results.saveJudgment(judgmentRow({ score: 3 }));
    results.flush();
    expect(store.db.prepare("SELECT key, status, attempts, error_code FROM turns").all()).toEqual([
      { key: "turn-key", status: "success", attempts: 2, error_code: null },
    ]);
    expect(store.db.prepare("SELECT key, status, score FROM judgments").all()).toEqual([
      { key: "judgment-key", status: "scored", score: 3 },
    ]);
  });

  it("progress returns the stored turns and judgments of one conversation only", () => {
    vi.useFakeTimers();
    const { results } = setup();
    results.saveTurn(turnRow({ key: "mine-0", turnIndex: 0, responseText: "first" }));
    results.saveTurn(turnRow({ key: "mine-1", turnIndex: 1, status: "error", responseText: null }));
    results.saveJudgment(judgmentRow({ key: "mine-j", turnKey: "mine-0", status: "error", score: null }));
    results.saveTurn(turnRow({ key: "other-item", itemId: "item-2" }));
    results.saveTurn(turnRow({ key: "other-target", targetId: "target-2" }));
    results.saveTurn(turnRow({ key: "other-run", runId: "run-b" }));
    results.saveJudgment(judgmentRow({ key: "other-j", turnKey: "other-item", itemId: "item-2" }));
    results.saveJudgment(judgmentRow({ key: "other-run-j", turnKey: "other-run", runId: "run-b" }));
    results.flush();
    const progress = results.progress("run-a", "target-1", "item-1");
    expect([...progress.turns.entries()]).toEqual([
      [0, { key: "mine-0", status: "success", responseText: "first", userMessage: "hello" }],
      [1, { key: "mine-1", status: "error", responseText: null, userMessage: "hello" }],
    ]);
    expect([...progress.judgments.entries()]).toEqual([["mine-j", "error"]]);
    expect(progress.stop).toBeUndefined();
  });

  it("stores how a conversation ended (migration 5) and returns it, with verdict scores, as progress", () => {
    vi.useFakeTimers();
    const { results, store } = setup();
    results.saveTurn(turnRow({ key: "mine-0", turnIndex: 0, responseText: "first" }));
    results.saveJudgment(judgmentRow({ key: "mine-j", turnKey: "mine-0", score: 3 }));
    const stop = {
      key: "conversation-key",
      runId: "run-a",
      itemId: "item-1",
      targetId: "target-1",
      epoch: 0,
      status: "stopped" as const,
      stopReason: "attacker-gave-up",
      turns: 1,
      detail: "firm refusal",
      errorCode: null,
      errorStatus: null,
      errorMessage: null,
      attackerId: "red",
      attackerCalls: 1,
      attackerInputTokens: 100,
      attackerOutputTokens: 10,
      createdAt: "2026-01-01T00:00:00.000Z",
    };
    results.saveConversation(stop);
    results.saveConversation({ ...stop, key: "other-conversation", itemId: "item-2" });
    results.flush();
    expect(
      store.db
        .prepare("SELECT stop_reason, turns, attacker_calls FROM conversations WHERE key = ?")
        .get("conversation-key"),
    ).toEqual({ stop_reason: "attacker-gave-up", turns: 1, attacker_calls: 1 });
    const progress = results.progress("run-a", "target-1", "item-1");
    expect(progress.stop).toEqual({
      key: "conversation-key",
      status: "stopped",
      stopReason: "attacker-gave-up",
      turns: 1,
      detail: "firm refusal",
      errorCode: null,
      errorStatus: null,
      errorMessage: null,
    });
    expect([...(progress.scores ?? new Map()).entries()]).toEqual([["mine-j", 3]]);
    expect(() =>
      store.db
        .prepare(
          "INSERT INTO conversations (key, run_id, item_id, target_id, epoch, status, stop_reason, turns, attacker_calls, attacker_input_tokens, attacker_output_tokens, created_at) VALUES ('k', 'run-a', 'i', 't', 0, 'done', 'x', 0, 0, 0, 0, 'now')",
        )
        .run(),
    ).toThrow(/CHECK constraint failed/);
  });

  it("refuses a scored judgment without a score and an unscored one with a score", () => {
    vi.useFakeTimers();
    const first = setup();
    first.results.saveJudgment(judgmentRow({ status: "scored", score: null }));
    expect(() => first.results.flush()).toThrow(/CHECK constraint failed/);
    expect(countRows(first.store, "judgments")).toBe(0);
    const second = new ResultRepository(first.store.db);
    second.saveJudgment(judgmentRow({ status: "unscored", score: 4 }));
    expect(() => second.flush()).toThrow(/CHECK constraint failed/);
    expect(countRows(first.store, "judgments")).toBe(0);
  });

  it("keeps the rows of a failed commit queued and refuses later saves, so nothing is silently lost", () => {
    vi.useFakeTimers();
    const { store, results } = setup();
    results.saveJudgment(judgmentRow({ status: "scored", score: null }));
    expect(() => results.flush()).toThrow(/CHECK constraint failed/);
    expect(() => results.saveJudgment(judgmentRow({ status: "scored", score: 5 }))).toThrow(/CHECK constraint failed/);
    expect(() => results.flush()).toThrow(/CHECK constraint failed/);
    expect(countRows(store, "judgments")).toBe(0);
  });
});

describe("ResponseCacheRepository", () => {
  it("round-trips a response and replaces it on a second set", () => {
    const cache = new ResponseCacheRepository(open(join(folder, "store.db")).db);
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
    expect(cache.get("other")).toBeUndefined();
  });
});
