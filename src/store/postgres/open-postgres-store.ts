/**
 * Opening a PostgreSQL store: connect, then apply the pending numbered migrations (postgres-migrations.ts) under an
 * advisory lock, so workers starting together on a new database migrate it once. Connection failures become one
 * paragraph naming the store (password hidden) and the fix.
 */
import { MedsafetyError, redactUrl } from "../../core/index.js";
import type { Migration } from "../migrations.js";
import { POSTGRES_MIGRATIONS } from "../postgres-migrations.js";
import { PostgresDatabase, PostgresError } from "./postgres-database.js";

const MIGRATION_LOCK = "SELECT pg_advisory_xact_lock(7235462)";

export interface OpenedPostgres {
  readonly db: PostgresDatabase;
  readonly applied: readonly Migration[];
}

export function openPostgresStore(
  url: string,
  options: {
    readonly mustExist?: boolean;
    /** Never write: no migration (the store must exist); for a second connection to a store already opened. */
    readonly readOnly?: boolean;
    readonly migrations?: readonly Migration[];
    readonly onMigration?: (migration: Migration) => void;
    readonly applicationName?: string;
  } = {},
): OpenedPostgres {
  let db: PostgresDatabase;
  try {
    db = new PostgresDatabase(
      url,
      options.applicationName === undefined ? {} : { applicationName: options.applicationName },
    );
  } catch (error) {
    throw connectionError(error, url);
  }
  try {
    if (options.readOnly === true) {
      requireSchema(db);
      return { db, applied: [] };
    }
    return { db, applied: migrate(db, options.migrations ?? POSTGRES_MIGRATIONS, options) };
  } catch (error) {
    db.close();
    throw error instanceof MedsafetyError ? error : postgresStoreError(error, url);
  }
}

function requireSchema(db: PostgresDatabase): void {
  if (db.prepare("SELECT to_regclass('schema_migrations') IS NOT NULL").pluck().get() === true) return;
  throw new MedsafetyError(
    "store_unusable",
    `The PostgreSQL database ${db.name} holds no medsafety store yet. Run \`medsafety run\` with this store first (it creates the tables), or check the database name in the URL.`,
  );
}

function migrate(
  db: PostgresDatabase,
  migrations: readonly Migration[],
  options: { readonly mustExist?: boolean; readonly onMigration?: (migration: Migration) => void },
): Migration[] {
  if (options.mustExist === true) requireSchema(db);
  return db.transaction(() => {
    db.exec(MIGRATION_LOCK);
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    const done = new Set(db.prepare("SELECT version FROM schema_migrations").pluck().all() as number[]);
    const newest = Math.max(0, ...done);
    const known = Math.max(0, ...migrations.map((migration) => migration.version));
    if (newest > known) {
      throw new MedsafetyError(
        "store_error",
        `The store ${db.name} was written by a newer medsafety (schema version ${newest}, this version knows ${known}). Upgrade medsafety or use another store.`,
      );
    }
    const pending = migrations.filter((migration) => !done.has(migration.version));
    for (const migration of pending) {
      if (done.size > 0) options.onMigration?.(migration);
      db.exec(migration.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
    }
    return pending;
  })();
}

const FIX_URL =
  'Check the URL given with --store, the config key "store" or MEDSAFETY_STORE (postgres://user:password@host:port/database), that the server runs and accepts connections from this machine';

function connectionError(error: unknown, url: string): MedsafetyError {
  const name = redactUrl(url);
  const code = error instanceof PostgresError ? error.code : undefined;
  const detail = error instanceof Error ? error.message : String(error);
  if (code === "3D000") {
    const database = new URL(url).pathname.slice(1);
    return new MedsafetyError(
      "store_unusable",
      `The PostgreSQL server of ${name} has no database "${database}" (${detail}). Create it (e.g. \`createdb ${database}\`, or CREATE DATABASE as a user who may), or fix the database name in the URL.`,
      { cause: error },
    );
  }
  if (code === "28P01" || code === "28000") {
    return new MedsafetyError(
      "store_unusable",
      `PostgreSQL refused the login to ${name} (${detail}). Give the right user and password in the URL (or PGPASSWORD), and check pg_hba.conf allows this host.`,
      { cause: error },
    );
  }
  return new MedsafetyError(
    "store_unusable",
    `Cannot connect to the PostgreSQL store ${name}: ${detail}. ${FIX_URL}.`,
    {
      cause: error,
    },
  );
}

/** A PostgreSQL failure while using the store, as one paragraph naming it. */
export function postgresStoreError(error: unknown, url: string): MedsafetyError {
  if (error instanceof MedsafetyError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  const code = error instanceof PostgresError ? error.code : undefined;
  if (code !== undefined && /^(08|57P0)/.test(code)) {
    return new MedsafetyError(
      "store_error",
      `The connection to the PostgreSQL store ${redactUrl(url)} was lost (${detail}). Check the server, then run the command again; a run that stopped continues with \`medsafety run --resume\`.`,
      { cause: error },
    );
  }
  return new MedsafetyError("store_error", `A store operation on ${redactUrl(url)} failed: ${detail}.`, {
    cause: error,
  });
}
