import type { Db } from "./database.js";
import { dialectOf } from "./sql-dialect.js";

/** A transaction that stays open across `await`s (better-sqlite3's `db.transaction()` runs a synchronous function). */
export interface OpenTransaction {
  commit(): void;
  rollback(): void;
}

/**
 * Begins a transaction that the caller ends with `commit` or `rollback`, e.g. a run created with its items while the
 * items are still being read from a file: either the run exists with all its items or not at all.
 */
export function beginTransaction(db: Db): OpenTransaction {
  db.exec("BEGIN");
  return {
    commit: () => db.exec("COMMIT"),
    rollback: () => db.exec("ROLLBACK"),
  };
}

/** A read transaction: every read until `end` sees the store as it was at its first read. */
export interface ReadSnapshot {
  /** PostgreSQL's exported snapshot id, for other connections to read the same data (`openStoreReadOnly`). */
  readonly snapshot?: string;
  end(): void;
}

/**
 * Begins a read snapshot, so a report reads one consistent state while runs and workers keep writing: SQLite's
 * deferred transaction in WAL mode, PostgreSQL's REPEATABLE READ READ ONLY (its snapshot exported for report threads).
 */
export function beginReadSnapshot(db: Db): ReadSnapshot {
  if (db.inTransaction) return { end: () => undefined };
  if (dialectOf(db) === "sqlite") {
    db.exec("BEGIN");
    return { end: () => (db.inTransaction ? void db.exec("COMMIT") : undefined) };
  }
  db.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  const snapshot = db.prepare("SELECT pg_export_snapshot()").pluck().get() as string;
  return { snapshot, end: () => (db.inTransaction ? void db.exec("COMMIT") : undefined) };
}
