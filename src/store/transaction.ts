import type { Db } from "./database.js";

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
