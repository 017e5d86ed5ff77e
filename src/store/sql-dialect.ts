/**
 * The SQL dialect of a connection, for the few statements that differ between SQLite and PostgreSQL (JSON
 * aggregation, `json_each`, index hints). Everything else is written once in SQL both accept.
 */
import type { Db } from "./sql-database.js";

export type SqlDialect = "sqlite" | "postgres";

/** Set (true) on a PostgreSQL connection (postgres/postgres-database.ts); a better-sqlite3 `Database` lacks it. */
export const POSTGRES_CONNECTION = Symbol.for("medsafety.store.postgres");

export function dialectOf(db: Db): SqlDialect {
  return (db as unknown as Record<symbol, unknown>)[POSTGRES_CONNECTION] === true ? "postgres" : "sqlite";
}

/** The statement for the connection's dialect. */
export function sqlFor(db: Db, statements: { readonly sqlite: string; readonly postgres: string }): string {
  return statements[dialectOf(db)];
}
