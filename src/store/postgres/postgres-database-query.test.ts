/**
 * `PostgresDatabase.query`: SQL written for PostgreSQL runs as it is (`$n` parameters; `?` and `@name` are not
 * rewritten, as `prepare` does for the store's own statements), inside the connection's open transaction.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresForTests } from "../../../test/support/postgres.js";
import { PostgresDatabase } from "./postgres-database.js";

const postgres = postgresForTests();

describe.skipIf(postgres.skipReason !== undefined)("PostgresDatabase.query", () => {
  let db: PostgresDatabase;
  beforeAll(async () => {
    db = new PostgresDatabase(await postgres.newDatabase());
  });
  afterAll(() => db?.close());

  it("runs $n parameters as given and leaves ? and @name alone", () => {
    const result = db.query(`SELECT $1::text || '?' AS text, ('{"a": 1}'::jsonb ? $2) AS has, '@name' AS at`, [
      "x",
      "a",
    ]);
    expect(result).toEqual({ rows: [{ text: "x?", has: true, at: "@name" }], rowCount: 1 });
  });

  it("runs inside the transaction the connection has open, and returns bytea as Buffers", () => {
    db.exec("CREATE TABLE query_test (id INTEGER PRIMARY KEY, body BYTEA)");
    db.exec("BEGIN");
    expect(db.query("INSERT INTO query_test VALUES ($1, $2)", [1, Buffer.from("hi")]).rowCount).toBe(1);
    expect(db.inTransaction).toBe(true);
    db.exec("ROLLBACK");
    expect(db.query("SELECT COUNT(*) AS n FROM query_test").rows).toEqual([{ n: 0 }]);
    db.query("INSERT INTO query_test VALUES ($1, $2)", [2, Buffer.from("hi")]);
    const [row] = db.query("SELECT body FROM query_test WHERE id = $1", [2]).rows as { body: Buffer }[];
    expect(Buffer.isBuffer(row?.body)).toBe(true);
    expect(row?.body.toString()).toBe("hi");
  });

  it("throws PostgreSQL's error with its SQLSTATE", () => {
    expect(() => db.query("SELECT * FROM no_such_table")).toThrow(expect.objectContaining({ code: "42P01" }));
  });
});
