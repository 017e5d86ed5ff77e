/**
 * POSTGRES_MIGRATIONS against MIGRATIONS: the same versions and names, and the same schema: every table and column
 * (with its type mapped, NOT NULL and default), primary key, foreign key (and its ON DELETE), CHECK constraint and
 * index (the report's covering indexes as keys + INCLUDE columns, in SQLite's column order). Read twice: from the
 * PostgreSQL DDL text (always), and from the catalog of a real PostgreSQL database the migrations were applied to
 * (when the test run has PostgreSQL; test/support/postgres.ts).
 */
import Database from "better-sqlite3";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { postgresForTests } from "../../test/support/postgres.js";
import { MIGRATIONS } from "./migrations.js";
import { POSTGRES_MIGRATIONS } from "./postgres-migrations.js";

interface Column {
  readonly type: string;
  /** Primary key columns are left out (PostgreSQL makes them NOT NULL; SQLite's rowid tables do not). */
  readonly notNull: boolean | "key";
  readonly default: string | null;
}

interface Table {
  readonly columns: Record<string, Column>;
  readonly primaryKey: readonly string[];
  /** `column → table(column)`, with ` ON DELETE CASCADE` when it cascades. */
  readonly foreignKeys: readonly string[];
  readonly checks: number;
}

interface Index {
  readonly table: string;
  readonly unique: boolean;
  /** Every column the index holds, in order: its keys, then (PostgreSQL) its INCLUDE columns. */
  readonly columns: readonly string[];
}

interface Schema {
  readonly tables: Record<string, Table>;
  readonly indexes: Record<string, Index>;
}

/** SQLite's declared types as PostgreSQL's migrations declare them. */
const TYPES: Record<string, string> = {
  TEXT: "text",
  INTEGER: "integer",
  REAL: "double precision",
  BLOB: "bytea",
};

function sqliteSchema(): Schema {
  const db = new Database(":memory:");
  try {
    for (const migration of MIGRATIONS) db.exec(migration.sql);
    const tables: Record<string, Table> = {};
    const indexes: Record<string, Index> = {};
    const names = db
      .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name")
      .all() as Array<{ name: string; sql: string }>;
    for (const { name, sql } of names) {
      const info = db.pragma(`table_info(${name})`) as Array<{
        name: string;
        type: string;
        notnull: number;
        dflt_value: string | null;
        pk: number;
      }>;
      const foreign = db.pragma(`foreign_key_list(${name})`) as Array<{
        table: string;
        from: string;
        to: string;
        on_delete: string;
      }>;
      tables[name] = {
        columns: Object.fromEntries(
          info.map((column) => [
            column.name,
            {
              type: TYPES[column.type] ?? `unmapped ${column.type}`,
              notNull: column.pk > 0 ? "key" : column.notnull === 1,
              default: column.dflt_value,
            },
          ]),
        ),
        primaryKey: info
          .filter((column) => column.pk > 0)
          .sort((a, b) => a.pk - b.pk)
          .map((column) => column.name),
        foreignKeys: foreign
          .map(
            (key) => `${key.from} → ${key.table}(${key.to})${key.on_delete === "CASCADE" ? " ON DELETE CASCADE" : ""}`,
          )
          .sort(),
        checks: sql.match(/\bCHECK\s*\(/g)?.length ?? 0,
      };
      const list = db.pragma(`index_list(${name})`) as Array<{ name: string; unique: number; origin: string }>;
      for (const index of list.filter((entry) => entry.origin === "c")) {
        const columns = db.pragma(`index_info(${index.name})`) as Array<{ seqno: number; name: string }>;
        indexes[index.name] = {
          table: name,
          unique: index.unique === 1,
          columns: columns.sort((a, b) => a.seqno - b.seqno).map((column) => column.name),
        };
      }
    }
    return { tables, indexes };
  } finally {
    db.close();
  }
}

const list = (text: string): string[] => text.split(",").map((part) => part.trim());

/** The schema the PostgreSQL DDL text declares (one column or table constraint per line, as written there). */
function postgresTextSchema(): Schema {
  const tables: Record<
    string,
    { columns: Record<string, Column>; primaryKey: string[]; foreignKeys: string[]; checks: number }
  > = {};
  const indexes: Record<string, Index> = {};
  const column = (table: string, line: string): void => {
    const match = /^(\w+) (TEXT COLLATE "C"|INTEGER|DOUBLE PRECISION|BYTEA)(?=[\s,]|$)(.*?),?$/.exec(line.trim());
    if (match === null) throw new Error(`${table}: cannot read the column line "${line.trim()}"`);
    const [, name = "", type = "", rest = ""] = match;
    const owner = tables[table];
    if (owner === undefined) throw new Error(`no table ${table}`);
    const key = /\bPRIMARY KEY\b/.test(rest);
    if (key) owner.primaryKey.push(name);
    const references = /\bREFERENCES (\w+)\((\w+)\)( ON DELETE CASCADE)?/.exec(rest);
    if (references !== null)
      owner.foreignKeys.push(`${name} → ${references[1]}(${references[2]})${references[3] ?? ""}`);
    owner.checks += rest.match(/\bCHECK\s*\(/g)?.length ?? 0;
    owner.columns[name] = {
      type: type === 'TEXT COLLATE "C"' ? "text" : type.toLowerCase(),
      notNull: key ? "key" : /\bNOT NULL\b/.test(rest),
      default: /\bDEFAULT (\S+?)(?:[\s,]|$)/.exec(rest)?.[1] ?? null,
    };
  };
  for (const migration of POSTGRES_MIGRATIONS) {
    for (const block of migration.sql.matchAll(/CREATE TABLE (\w+) \(\n([\s\S]*?)\n\s*\);/g)) {
      const [, table = "", body = ""] = block;
      tables[table] = { columns: {}, primaryKey: [], foreignKeys: [], checks: 0 };
      for (const line of body.split("\n")) {
        const trimmed = line.trim();
        const primaryKey = /^PRIMARY KEY \(([^)]*)\),?$/.exec(trimmed);
        if (primaryKey !== null)
          (tables[table] as { primaryKey: string[] }).primaryKey.push(...list(primaryKey[1] ?? ""));
        else if (trimmed.startsWith("CHECK ")) (tables[table] as { checks: number }).checks += 1;
        else column(table, line);
      }
    }
    for (const added of migration.sql.matchAll(/ALTER TABLE (\w+) ADD COLUMN ([^;]+);/g))
      column(added[1] ?? "", added[2] ?? "");
    for (const index of migration.sql.matchAll(
      /CREATE (UNIQUE )?INDEX (\w+) ON (\w+)\(([^)]*)\)(?:\s+INCLUDE \(([^)]*)\))?;/g,
    )) {
      const [, unique, name = "", table = "", keys = "", include] = index;
      indexes[name] = {
        table,
        unique: unique !== undefined,
        columns: [...list(keys), ...(include === undefined ? [] : list(include))],
      };
    }
  }
  for (const table of Object.values(tables)) {
    table.foreignKeys.sort();
    for (const key of table.primaryKey) table.columns[key] = { ...(table.columns[key] as Column), notNull: "key" };
  }
  return { tables, indexes };
}

describe("POSTGRES_MIGRATIONS", () => {
  it("has the versions and names of MIGRATIONS, in the same order", () => {
    expect(POSTGRES_MIGRATIONS.map(({ version, name }) => ({ version, name }))).toEqual(
      MIGRATIONS.map(({ version, name }) => ({ version, name })),
    );
  });

  it("declares every table, column, key, constraint and index of the SQLite schema (read from its DDL text)", () => {
    const sqlite = sqliteSchema();
    expect(Object.keys(sqlite.tables).length).toBeGreaterThan(15);
    expect(postgresTextSchema()).toEqual(sqlite);
  });

  it("uses PostgreSQL's types only, and binary (C) collation for every text column", () => {
    for (const { sql } of POSTGRES_MIGRATIONS) {
      expect(sql).not.toMatch(/WITHOUT ROWID|\bREAL\b|\bBLOB\b|AUTOINCREMENT|INSERT OR/);
      expect(sql).not.toMatch(/\bTEXT\b(?! COLLATE "C")/);
    }
  });
});

const postgres = postgresForTests();

describe.skipIf(postgres.skipReason !== undefined)("POSTGRES_MIGRATIONS on PostgreSQL", () => {
  let schema: Schema;
  let textCollations: string[];

  beforeAll(async () => {
    const client = new pg.Client({ connectionString: await postgres.newDatabase() });
    await client.connect();
    try {
      for (const migration of POSTGRES_MIGRATIONS) {
        await client.query("BEGIN");
        await client.query(migration.sql);
        await client.query("COMMIT");
      }
      schema = await catalogSchema(client);
      const collations = await client.query<{ collation: string }>(
        `SELECT DISTINCT collation_name AS collation FROM information_schema.columns
         WHERE table_schema = current_schema() AND data_type = 'text'`,
      );
      textCollations = collations.rows.map((row) => row.collation);
    } finally {
      await client.end();
    }
  });

  it("creates the SQLite schema's tables, columns, keys, constraints and indexes", () => {
    expect(schema).toEqual(sqliteSchema());
  });

  it("compares every text column byte by byte, as SQLite's BINARY collation does", () => {
    expect(textCollations).toEqual(["C"]);
  });
});

/** The schema as PostgreSQL's catalog has it after the migrations ran. */
async function catalogSchema(client: pg.Client): Promise<Schema> {
  const columns = await client.query<{
    table: string;
    column: string;
    type: string;
    nullable: string;
    default: string | null;
  }>(
    `SELECT table_name AS table, column_name AS column, data_type AS type, is_nullable AS nullable, column_default AS default
     FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
  );
  const constraints = await client.query<{ table: string; type: string; definition: string }>(
    `SELECT conrelid::regclass::text AS table, contype AS type, pg_get_constraintdef(oid) AS definition
     FROM pg_constraint WHERE connamespace = current_schema()::regnamespace`,
  );
  const indexes = await client.query<{ table: string; name: string; unique: boolean; columns: string[] }>(
    `SELECT c.relname AS table, i.relname AS name, x.indisunique AS unique,
       (SELECT array_agg(a.attname::text ORDER BY k.position) FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, position)
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum) AS columns
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
     WHERE c.relnamespace = current_schema()::regnamespace AND NOT x.indisprimary`,
  );
  const tables: Record<
    string,
    { columns: Record<string, Column>; primaryKey: string[]; foreignKeys: string[]; checks: number }
  > = {};
  const tableOf = (name: string) => {
    const table = tables[name] ?? { columns: {}, primaryKey: [], foreignKeys: [], checks: 0 };
    tables[name] = table;
    return table;
  };
  for (const constraint of constraints.rows) {
    const table = tableOf(constraint.table);
    const primaryKey = /^PRIMARY KEY \(([^)]*)\)$/.exec(constraint.definition);
    const foreign = /^FOREIGN KEY \((\w+)\) REFERENCES (\w+)\((\w+)\)( ON DELETE CASCADE)?$/.exec(
      constraint.definition,
    );
    if (primaryKey !== null) table.primaryKey.push(...list(primaryKey[1] ?? ""));
    else if (foreign !== null)
      table.foreignKeys.push(`${foreign[1]} → ${foreign[2]}(${foreign[3]})${foreign[4] ?? ""}`);
    else if (constraint.type === "c") table.checks += 1;
    else throw new Error(`${constraint.table}: unexpected constraint ${constraint.definition}`);
  }
  for (const row of columns.rows) {
    const table = tableOf(row.table);
    table.columns[row.column] = {
      type: row.type,
      notNull: table.primaryKey.includes(row.column) ? "key" : row.nullable === "NO",
      default: row.default,
    };
  }
  for (const table of Object.values(tables)) table.foreignKeys.sort();
  return {
    tables: Object.fromEntries(Object.entries(tables).sort(([a], [b]) => (a < b ? -1 : 1))),
    indexes: Object.fromEntries(
      indexes.rows.map((index) => [index.name, { table: index.table, unique: index.unique, columns: index.columns }]),
    ),
  };
}
