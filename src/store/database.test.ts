import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MedsafetyError } from "../core/index.js";
import { type OpenedStore, openSqliteStore } from "./database.js";
import { checkRunIndexes, checkStoreIntegrity } from "./store-check.js";
import { storeErrorOf } from "./store-errors.js";

let folder: string;
const opened: OpenedStore[] = [];

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), "medsafety-database-"));
});

afterEach(() => {
  for (const store of opened.splice(0)) if (store.db.open) store.db.close();
  rmSync(folder, { recursive: true, force: true });
});

function errorOf(action: () => unknown): MedsafetyError {
  try {
    const result = action();
    if (typeof result === "object" && result !== null && "db" in result) opened.push(result as OpenedStore);
  } catch (error) {
    if (error instanceof MedsafetyError) return error;
    throw error;
  }
  throw new Error("expected a MedsafetyError");
}

/** A store with one run of two turns and four judgments, written through plain SQL on the real schema. */
function storeWithRun(path: string): void {
  const { db } = openSqliteStore(path);
  db.prepare(`INSERT INTO runs (id, created_at, updated_at, status, config_json, config_hash, dataset_source, dataset_hash, item_count, rubrics_json, package_version)
    VALUES ('run-a', 'now', 'now', 'success', '{}', 'h', 'bench', 'h', 1, '[]', '0.1.0')`).run();
  const turn =
    db.prepare(`INSERT INTO turns (key, run_id, item_id, target_id, turn_index, epoch, status, user_message, input_tokens, output_tokens, latency_ms, cached, attempts, created_at)
    VALUES (?, 'run-a', 'item-1', 'target', ?, 0, 'success', 'hello', 1, 1, 1, 0, 1, 'now')`);
  const judgment =
    db.prepare(`INSERT INTO judgments (key, turn_key, run_id, item_id, target_id, turn_index, judge_id, status, score, rubric_id, rubric_version, input_tokens, output_tokens, latency_ms, cached, attempts, created_at)
    VALUES (?, ?, 'run-a', 'item-1', 'target', ?, ?, 'scored', 7, 'jmedethic-safety', '1.0.0', 1, 1, 1, 0, 1, 'now')`);
  for (const index of [0, 1]) {
    const turnKey = `${"ab".repeat(15)}0${index}`;
    turn.run(turnKey, index);
    for (const judge of ["judge-a", "judge-b"])
      judgment.run(`${"cd".repeat(15)}${index}${judge.at(-1) === "a" ? 1 : 2}`, turnKey, index, judge);
  }
  db.close();
}

describe("openSqliteStore refuses paths that cannot hold a store, naming them (issue 12)", () => {
  it("mustExist: a missing store is not created", () => {
    const path = join(folder, ".medsafety", "medsafety.db");
    const error = errorOf(() => openSqliteStore(path, undefined, undefined, { mustExist: true }));
    expect(error.code).toBe("store_unusable");
    expect(error.message).toContain(`No store at ${path}.`);
    expect(error.message).toContain("medsafety run");
    expect(existsSync(join(folder, ".medsafety"))).toBe(false);
  });

  it("a file that is not a SQLite database", () => {
    const path = join(folder, "notes.db");
    writeFileSync(path, "these are my notes, not a database\n".repeat(200));
    const error = errorOf(() => openSqliteStore(path));
    expect(error.code).toBe("store_unusable");
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/not a SQLite database/);
    expect(error.message).toMatch(/backup/);
  });

  it("a folder given as the store", () => {
    const path = join(folder, "stores");
    mkdirSync(path);
    const error = errorOf(() => openSqliteStore(path));
    expect(error.code).toBe("store_unusable");
    expect(error.message).toContain(`${path} is a folder`);
  });

  it("a store path whose folder is a file", () => {
    writeFileSync(join(folder, "file"), "x");
    const path = join(folder, "file", "sub", "store.db");
    const error = errorOf(() => openSqliteStore(path));
    expect(error.code).toBe("store_unusable");
    expect(error.message).toContain(join(folder, "file"));
    expect(error.message).toMatch(/not a folder/);
  });

  it.runIf(process.platform === "linux")("a path under /proc or /sys fails at once instead of spinning", () => {
    for (const path of ["/proc/medsafety/store.db", "/proc/store.db", "/sys/medsafety.db", "/proc/self/status"]) {
      const started = performance.now();
      const error = errorOf(() => openSqliteStore(path));
      expect(performance.now() - started).toBeLessThan(1000);
      expect(error.code).toBe("store_unusable");
      expect(error.message).toContain(path);
      expect(error.message).toMatch(/virtual filesystem/);
    }
  });

  it("creates missing folders for a new store", () => {
    const path = join(folder, "a", "b", "store.db");
    const store = openSqliteStore(path);
    opened.push(store);
    expect(existsSync(path)).toBe(true);
  });
});

describe("storeErrorOf: SQLite failures name the store and what to do", () => {
  it("a real SQLITE_FULL (max_page_count reached) says to free space", () => {
    const path = join(folder, "store.db");
    const store = openSqliteStore(path);
    opened.push(store);
    store.db.pragma(`max_page_count = ${store.db.pragma("page_count", { simple: true }) as number}`);
    let caught: unknown;
    try {
      store.db
        .prepare("INSERT INTO response_cache (key, response_json, created_at) VALUES (?, ?, 'now')")
        .run("k", "x".repeat(100_000));
    } catch (error) {
      caught = error;
    }
    expect((caught as { code?: string }).code).toBe("SQLITE_FULL");
    const error = storeErrorOf(caught, path);
    expect(error.code).toBe("store_error");
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/full/);
    expect(error.message).toMatch(/[Ff]ree/);
  });

  it("corruption, read-only and I/O errors, also from a report thread (message only)", () => {
    const cases: Array<[unknown, RegExp]> = [
      [new Database.SqliteError("database disk image is malformed", "SQLITE_CORRUPT"), /damaged.*store check/],
      [new Database.SqliteError("attempt to write a readonly database", "SQLITE_READONLY"), /cannot be written/],
      [new Database.SqliteError("disk I/O error", "SQLITE_IOERR_SHORT_READ"), /disk/],
      [new Error("a report thread failed: database disk image is malformed"), /damaged.*store check/],
    ];
    for (const [raw, expected] of cases) {
      const error = storeErrorOf(raw, "/data/store.db");
      expect(error.message).toContain("/data/store.db");
      expect(error.message).toMatch(expected);
      expect(error.cause).toBe(raw);
    }
  });
});

describe("checkStoreIntegrity and checkRunIndexes", () => {
  /** Overwrites `length` bytes at `offset` of page `page` (1-based) of the store file. */
  function damage(path: string, page: number, offset: number, bytes: Buffer): void {
    const descriptor = openSync(path, "r+");
    writeSync(descriptor, bytes, 0, bytes.length, (page - 1) * 4096 + offset);
    closeSync(descriptor);
  }

  function pageOf(path: string, index: string): number {
    const db = new Database(path, { readonly: true });
    try {
      return db.prepare("SELECT rootpage FROM sqlite_schema WHERE name = ?").pluck().get(index) as number;
    } finally {
      db.close();
    }
  }

  it("a healthy store passes both checks", () => {
    const path = join(folder, "store.db");
    storeWithRun(path);
    const store = openSqliteStore(path);
    opened.push(store);
    expect(checkStoreIntegrity(store.db)).toEqual({ ok: true, problems: [] });
    expect(checkRunIndexes(store.db, "run-a")).toEqual([]);
  });

  it("damage to the judgments index a report reads is caught by the cheap check and the full one", () => {
    const path = join(folder, "store.db");
    storeWithRun(path);
    const page = pageOf(path, "judgments_report");
    // The cell content area sits at the end of the page: garbage there changes the indexed values in place.
    damage(path, page, 4096 - 200, Buffer.alloc(120, 0x07));
    const store = openSqliteStore(path);
    opened.push(store);
    expect(checkRunIndexes(store.db, "run-a").join("\n")).toMatch(/judgments/);
    const full = checkStoreIntegrity(store.db);
    expect(full.ok).toBe(false);
    expect(full.problems.join("\n")).toMatch(/judgments_report/);
  });

  it("a store whose schema page is damaged reports the problem instead of throwing", () => {
    const path = join(folder, "store.db");
    storeWithRun(path);
    const db = new Database(path);
    db.pragma("journal_mode = DELETE");
    db.close();
    damage(path, 1, 100, Buffer.alloc(3996, 0x41));
    const raw = new Database(path);
    try {
      const result = checkStoreIntegrity(raw);
      expect(result.ok).toBe(false);
      expect(result.problems.length).toBeGreaterThan(0);
    } finally {
      raw.close();
    }
    expect(readdirSync(folder)).toContain("store.db");
  });
});
