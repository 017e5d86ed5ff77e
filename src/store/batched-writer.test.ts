import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MedsafetyError } from "../core/index.js";
import { BatchedWriter } from "./batched-writer.js";
import { type Db, openSqliteStore } from "./database.js";
import { GenerationRepository, type GenerationTaskRow } from "./generation-repository.js";
import { ResultRepository } from "./result-repository.js";
import type { TurnRow } from "./result-rows.js";

const RUNS = { seed: 20261202, numRuns: 200 } as const;

let folder: string;
const databases: Db[] = [];

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), "medsafety-batched-writer-"));
});

afterEach(() => {
  for (const db of databases.splice(0)) if (db.open) db.close();
  rmSync(folder, { recursive: true, force: true });
});

/** A store with one table `rows(id)` whose plain INSERT keeps duplicates, so a row written twice shows. */
function rowsTable(): Db {
  const db = new Database(":memory:");
  databases.push(db);
  db.exec("CREATE TABLE rows (id INTEGER NOT NULL)");
  return db;
}

function writerOf(db: Db, batchSize: number, flushIntervalMs = 60_000): BatchedWriter<number> {
  const insert = db.prepare("INSERT INTO rows (id) VALUES (?)");
  return new BatchedWriter<number>(db, (id) => insert.run(id), "test rows", { batchSize, flushIntervalMs });
}

function storedIds(db: Db): number[] {
  return db.prepare("SELECT id FROM rows ORDER BY rowid").pluck().all() as number[];
}

/** Every later insert fails inside SQLite with the message of a full disk (no code: classified by message). */
function breakWrites(db: Db, table: string): void {
  db.exec(
    `CREATE TRIGGER fail_${table} BEFORE INSERT ON ${table} BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`,
  );
}

function caught(action: () => void): MedsafetyError {
  try {
    action();
  } catch (error) {
    if (error instanceof MedsafetyError) return error;
    throw error;
  }
  throw new Error("expected a MedsafetyError");
}

describe("BatchedWriter", () => {
  it("commits when the queue reaches the batch size, not before", () => {
    const db = rowsTable();
    const writer = writerOf(db, 3);
    writer.add(1);
    writer.add(2);
    expect(storedIds(db)).toEqual([]);
    expect(writer.queued).toBe(2);
    writer.add(3);
    expect(storedIds(db)).toEqual([1, 2, 3]);
    expect(writer.queued).toBe(0);
  });

  it("commits queued rows after the interval", async () => {
    const db = rowsTable();
    const writer = writerOf(db, 100, 5);
    writer.add(1);
    expect(storedIds(db)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(storedIds(db)).toEqual([1]);
  });

  it("commits everything on flush (the end of a run, a store's close), in one transaction, in order", () => {
    const db = rowsTable();
    const batches: number[][] = [];
    const insert = db.prepare("INSERT INTO rows (id) VALUES (?)");
    const writer = new BatchedWriter<number>(
      db,
      (id) => insert.run(id),
      "test rows",
      {},
      (rows) => batches.push([...rows]),
    );
    for (const id of [5, 3, 8]) writer.add(id);
    writer.flush();
    expect(storedIds(db)).toEqual([5, 3, 8]);
    expect(batches).toEqual([[5, 3, 8]]);
    writer.flush();
    expect(batches).toHaveLength(1);
  });

  it("keeps the rows of a failed commit queued, throws until a commit succeeds, then writes them once", () => {
    const db = rowsTable();
    const writer = writerOf(db, 100);
    writer.add(1);
    breakWrites(db, "rows");
    const error = caught(() => writer.flush());
    expect(error.code).toBe("store_error");
    expect(() => writer.add(2)).toThrow(error);
    db.exec("DROP TRIGGER fail_rows");
    writer.flush();
    writer.add(2);
    writer.flush();
    expect(storedIds(db)).toEqual([1, 2]);
  });

  it("property: whatever the interleaving of adds, flushes and failing commits, every added row is written once, in order", () => {
    type Step = { kind: "add" } | { kind: "flush" } | { kind: "break" } | { kind: "repair" };
    const step: fc.Arbitrary<Step> = fc.oneof(
      { weight: 6, arbitrary: fc.constant({ kind: "add" } as const) },
      { weight: 2, arbitrary: fc.constant({ kind: "flush" } as const) },
      { weight: 1, arbitrary: fc.constant({ kind: "break" } as const) },
      { weight: 1, arbitrary: fc.constant({ kind: "repair" } as const) },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(step, { maxLength: 60 }), (batchSize, steps) => {
        const db = rowsTable();
        const writer = writerOf(db, batchSize);
        const added: number[] = [];
        let broken = false;
        let next = 0;
        for (const { kind } of steps) {
          if (kind === "break" && !broken) breakWrites(db, "rows");
          if (kind === "repair" && broken) db.exec("DROP TRIGGER fail_rows");
          if (kind === "break" || kind === "repair") broken = kind === "break";
          if (kind === "flush")
            try {
              writer.flush();
            } catch {
              // kept: the rows stay queued
            }
          if (kind === "add") {
            let refused = false;
            try {
              writer.throwIfFailed();
            } catch {
              refused = true;
            }
            try {
              writer.add(next);
            } catch {
              // a refused add queues nothing; an add whose batch commit failed keeps its row queued
            }
            if (!refused) added.push(next);
            next += 1;
          }
        }
        if (broken) db.exec("DROP TRIGGER fail_rows");
        writer.flush();
        expect(storedIds(db)).toEqual(added);
        db.close();
      }),
      RUNS,
    );
  });
});

describe("the store error of a failed write is the same for run results and generation results (decision 0012)", () => {
  function turnRow(key: string): TurnRow {
    return {
      key,
      runId: "run-a",
      itemId: "item-1",
      targetId: "target-1",
      turnIndex: 0,
      epoch: 0,
      status: "success",
      userMessage: "hello",
      responseText: "x".repeat(50_000),
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
    };
  }

  function taskRow(key: string, status: GenerationTaskRow["status"] = "success"): GenerationTaskRow {
    return {
      key,
      runId: "gen-1",
      kind: "conversation",
      subject: "seed-1",
      modelId: "atk-a",
      modelSpec: "openai:x",
      promptHash: "p",
      inputJson: "{}",
      status,
      rawOutput: "x".repeat(50_000),
      outputJson: status === "success" ? "{}" : null,
      errorCode: null,
      errorMessage: null,
      attempts: 1,
      inputTokens: 10,
      outputTokens: 5,
      latencyMs: 3,
      createdAt: "2026-01-01T00:00:00.000Z",
    };
  }

  /** A store on disk that cannot grow: the next large insert is a real SQLITE_FULL. Parent rows are not checked. */
  function fullStore(name: string): { db: Db; path: string } {
    const path = join(folder, name);
    const { db } = openSqliteStore(path);
    databases.push(db);
    db.pragma("foreign_keys = OFF");
    db.pragma(`max_page_count = ${db.pragma("page_count", { simple: true }) as number}`);
    return { db, path };
  }

  it("a full disk: the same store_error paragraph naming the store and the fix, from both writers", () => {
    const results = fullStore("results.db");
    const generation = fullStore("generation.db");
    const resultRepository = new ResultRepository(results.db, { flushIntervalMs: 60_000 });
    const generationRepository = new GenerationRepository(generation.db, { flushIntervalMs: 60_000 });
    resultRepository.saveTurn(turnRow("t1"));
    generationRepository.save(taskRow("g1"));
    const fromResults = caught(() => resultRepository.flush());
    const fromGeneration = caught(() => generationRepository.flush());
    for (const [error, path] of [
      [fromResults, results.path],
      [fromGeneration, generation.path],
    ] as const) {
      expect(error.code).toBe("store_error");
      expect(error.message).toMatch(new RegExp(`^The disk holding the store ${path} is full \\(SQLite: `));
      expect(error.message).toContain("run --resume");
      expect((error.cause as { code?: string }).code).toBe("SQLITE_FULL");
    }
    expect(fromResults.message.replace(results.path, "<store>")).toBe(
      fromGeneration.message.replace(generation.path, "<store>"),
    );
    // Kept and thrown by the next save, identically.
    expect(() => resultRepository.saveTurn(turnRow("t2"))).toThrow(fromResults);
    expect(() => generationRepository.save(taskRow("g2"))).toThrow(fromGeneration);
  });

  it("a broken constraint: a store_error naming the store and what was being written, from both writers", () => {
    const { db } = openSqliteStore(":memory:");
    databases.push(db);
    db.pragma("foreign_keys = OFF");
    const resultRepository = new ResultRepository(db, { flushIntervalMs: 60_000 });
    const generationRepository = new GenerationRepository(db, { flushIntervalMs: 60_000 });
    resultRepository.saveTurn({ ...turnRow("t1"), status: "nonsense" as TurnRow["status"] });
    generationRepository.save({ ...taskRow("g1"), outputJson: null });
    const fromResults = caught(() => resultRepository.flush());
    const fromGeneration = caught(() => generationRepository.flush());
    expect(fromResults.code).toBe("store_error");
    expect(fromGeneration.code).toBe("store_error");
    expect(fromResults.message).toMatch(/^Cannot write run results to the store :memory:: CHECK constraint failed/);
    expect(fromGeneration.message).toMatch(
      /^Cannot write generation results to the store :memory:: CHECK constraint failed/,
    );
  });

  it("a SQLite failure known only by its message (a trigger, another thread) is classified the same way", () => {
    const { db } = openSqliteStore(":memory:");
    databases.push(db);
    db.pragma("foreign_keys = OFF");
    breakWrites(db, "turns");
    breakWrites(db, "generation_tasks");
    const resultRepository = new ResultRepository(db, { flushIntervalMs: 60_000 });
    const generationRepository = new GenerationRepository(db, { flushIntervalMs: 60_000 });
    resultRepository.saveTurn(turnRow("t1"));
    generationRepository.save(taskRow("g1"));
    const fromResults = caught(() => resultRepository.flush());
    const fromGeneration = caught(() => generationRepository.flush());
    expect(fromResults.message).toBe(fromGeneration.message);
    expect(fromResults.message).toMatch(/^The disk holding the store :memory: is full/);
  });
});
