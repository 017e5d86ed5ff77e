import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { MedsafetyError, errorMessage } from "../core/index.js";
import { MIGRATIONS, type Migration } from "./migrations.js";

export type Db = Database.Database;

export interface OpenedStore {
  readonly db: Db;
  readonly path: string;
  /** Migrations applied by this open (empty when the store was up to date). */
  readonly applied: readonly Migration[];
}

/**
 * Opens (creating if needed) a SQLite store in WAL mode and applies pending numbered migrations.
 * `:memory:` is accepted for tests.
 */
/** Called before each pending migration of a store that already had a schema (a new store is not announced). */
export type MigrationListener = (migration: Migration) => void;

export function openStore(path: string, migrations: readonly Migration[] = MIGRATIONS, onMigration?: MigrationListener): OpenedStore {
  let db: Db;
  try {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
  } catch (error) {
    throw new MedsafetyError(
      "store_error",
      `Cannot open the store at ${path}: ${errorMessage(error)}. Check the path (config key "store" or --store) and that the folder is writable.`,
      { cause: error },
    );
  }
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  try {
    return { db, path, applied: applyMigrations(db, migrations, onMigration) };
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * A second, read-only connection to a store another connection has opened (and migrated): for report threads
 * that read in parallel. WAL mode lets readers work beside the main connection.
 */
export function openStoreReadOnly(path: string): Db {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma("busy_timeout = 5000");
    return db;
  } catch (error) {
    throw new MedsafetyError("store_error", `Cannot open the store at ${path} for reading: ${errorMessage(error)}.`, { cause: error });
  }
}

function applyMigrations(db: Db, migrations: readonly Migration[], onMigration: MigrationListener | undefined): Migration[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const done = new Set(
    db.prepare("SELECT version FROM schema_migrations").pluck().all() as number[],
  );
  const newest = Math.max(0, ...done);
  const known = Math.max(0, ...migrations.map((migration) => migration.version));
  if (newest > known) {
    throw new MedsafetyError(
      "store_error",
      `The store was written by a newer medsafety (schema version ${newest}, this version knows ${known}). Upgrade medsafety or use another store path.`,
    );
  }
  const pending = migrations.filter((migration) => !done.has(migration.version));
  for (const migration of pending) {
    if (done.size > 0) onMigration?.(migration);
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
    })();
  }
  return pending;
}
