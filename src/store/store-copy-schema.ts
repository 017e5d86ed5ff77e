/**
 * What `copyStore` (store-copy.ts) reads of a store's schema, from the database itself rather than from the
 * migrations: the tables, each table's columns and primary key (SQLite's `pragma_table_info`, PostgreSQL's
 * `information_schema`), and the migration versions applied. Two stores are copied between only when these agree.
 */
import type { Db } from "./sql-database.js";
import { dialectOf } from "./sql-dialect.js";

export interface TableShape {
  /** Column names in the table's order. */
  readonly columns: readonly string[];
  /** Primary key columns in key order. */
  readonly primaryKey: readonly string[];
  /** PostgreSQL: each column's type (`integer`, `text`, `double precision`, `bytea`...), by column name. */
  readonly types?: Readonly<Record<string, string>>;
}

/** The store's tables (PostgreSQL: those of the connection's current schema; a queue's own schema is not read). */
export function storeTables(db: Db): string[] {
  const sql =
    dialectOf(db) === "sqlite"
      ? "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
      : `SELECT table_name FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`;
  return db.prepare(sql).pluck().all() as string[];
}

/** The columns and primary key of each table of the store (PostgreSQL: two catalog queries for all of them). */
export function tableShapes(db: Db): Map<string, TableShape> {
  const shapes = new Map<string, TableShape>();
  if (dialectOf(db) === "sqlite") {
    for (const table of storeTables(db)) {
      const rows = db.prepare("SELECT name, pk FROM pragma_table_info(?) ORDER BY cid").all(table) as Array<{
        name: string;
        pk: number;
      }>;
      shapes.set(table, {
        columns: rows.map((row) => row.name),
        primaryKey: rows
          .filter((row) => row.pk > 0)
          .sort((a, b) => a.pk - b.pk)
          .map((row) => row.name),
      });
    }
    return shapes;
  }
  const columns = db
    .prepare(
      `SELECT c.table_name AS "table", c.column_name AS "column", c.data_type AS "type" FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
       WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
       ORDER BY c.table_name, c.ordinal_position`,
    )
    .all() as Array<{ table: string; column: string; type: string }>;
  const keys = db
    .prepare(
      `SELECT k.table_name AS "table", k.column_name AS "column" FROM information_schema.table_constraints c
       JOIN information_schema.key_column_usage k
         ON k.constraint_schema = c.constraint_schema AND k.constraint_name = c.constraint_name
        AND k.table_name = c.table_name
       WHERE c.table_schema = current_schema() AND c.constraint_type = 'PRIMARY KEY'
       ORDER BY k.table_name, k.ordinal_position`,
    )
    .all() as Array<{ table: string; column: string }>;
  for (const { table, column, type } of columns) {
    const shape = shapes.get(table) ?? { columns: [], primaryKey: [], types: {} };
    (shape.columns as string[]).push(column);
    (shape.types as Record<string, string>)[column] = type;
    shapes.set(table, shape);
  }
  for (const { table, column } of keys) (shapes.get(table)?.primaryKey as string[] | undefined)?.push(column);
  return shapes;
}

/** The migration versions applied to the store, in order. */
export function appliedMigrations(db: Db): number[] {
  return (db.prepare("SELECT version FROM schema_migrations ORDER BY version").pluck().all() as unknown[]).map(Number);
}
