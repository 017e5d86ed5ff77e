/**
 * The database connection every repository and read model of the store works on: the part of better-sqlite3's
 * synchronous API the store uses. A SQLite store is a better-sqlite3 `Database` as it is (no wrapper, no cost); a
 * PostgreSQL store is `PostgresDatabase` (postgres/postgres-database.ts), which answers the same calls synchronously
 * through a connection held by a worker thread (decision 0014). SQL that differs between the two dialects is chosen
 * with `dialectOf` (sql-dialect.ts), next to the statement.
 */

export interface SqlRunResult {
  readonly changes: number;
}

/**
 * A prepared statement. Parameters as better-sqlite3 takes them: positional values (or arrays of them) for `?`, or
 * one object for `@name` parameters. `pluck()` returns the first column only; `raw()` returns rows as arrays. */
export interface SqlStatement {
  all(...params: readonly unknown[]): unknown[];
  get(...params: readonly unknown[]): unknown;
  run(...params: readonly unknown[]): SqlRunResult;
  iterate(...params: readonly unknown[]): IterableIterator<unknown>;
  pluck(toggle?: boolean): this;
  raw(toggle?: boolean): this;
}

export interface Transaction<Arguments extends unknown[], Result> {
  (...args: Arguments): Result;
  immediate(...args: Arguments): Result;
}

/** A connection to a store, SQLite or PostgreSQL. */
export interface Db {
  prepare(sql: string): SqlStatement;
  exec(sql: string): this;
  /**
   * A function that runs `fn` in a transaction (a savepoint when one is already open), as better-sqlite3's; its
   * `immediate` variant takes the store's write lock first, so two processes cannot both read-then-write.
   */
  transaction<Arguments extends unknown[], Result>(fn: (...args: Arguments) => Result): Transaction<Arguments, Result>;
  close(): this;
  readonly open: boolean;
  readonly inTransaction: boolean;
  /** True for SQLite's `:memory:` (never for PostgreSQL). */
  readonly memory: boolean;
  /** The store's location for messages: a SQLite file path, or a PostgreSQL URL without its password. */
  readonly name: string;
}
