/**
 * A PostgreSQL store connection with better-sqlite3's synchronous API (`Db`), so every repository and read model of
 * the store runs unchanged on both backends. The `pg` client lives on a worker thread (bridge-worker.ts); each call
 * posts a request and blocks on a shared flag (`Atomics.wait`) until the reply is on the port, one round trip per
 * statement, as a SQLite call blocks on its file (decision 0014). Large results stream through a cursor in batches.
 */
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { MedsafetyError, redactUrl, workerEntryUrl } from "../../core/index.js";
import type { Db, SqlRunResult, SqlStatement, Transaction } from "../sql-database.js";
import { POSTGRES_CONNECTION } from "../sql-dialect.js";
import type { BridgeError, BridgeOperation, BridgeReply, BridgeStart, RowMode } from "./bridge-protocol.js";
import { bindValues, toPostgres } from "./parameters.js";

/** How long one statement may take before the store gives up on the server (reports aggregate millions of rows). */
const ANSWER_TIMEOUT_MS = 30 * 60_000;
const CURSOR_BATCH = 5_000;
/** The longest single wait for a reply before the port is looked at again. */
const WAIT_SLICE_MS = 50;
/** The advisory lock an `immediate` transaction takes (held until it ends), as SQLite's write lock. */
const IMMEDIATE_LOCK = "SELECT pg_advisory_xact_lock(7235461)";

/** A PostgreSQL failure on the bridge, with its SQLSTATE `code` (e.g. 23505 unique_violation), as `pg` gives it. */
export class PostgresError extends Error {
  override readonly name = "PostgresError";
  readonly code: string | undefined;
  readonly detail: string | undefined;
  constructor(error: BridgeError) {
    super(error.message);
    this.code = error.code;
    this.detail = error.detail;
  }
}

/** The process's connection thread (bridge-worker.ts): started on the first connection, shared by all of them. */
interface Bridge {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly signal: Int32Array;
}
let bridge: Bridge | undefined;
let connections = 0;
let sequence = 0;

function startBridge(): Bridge {
  const channel = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const start: BridgeStart = { signal, port: channel.port2 };
  const worker = new Worker(workerEntryUrl(import.meta.url, "bridge-worker"), {
    workerData: start,
    transferList: [channel.port2],
  });
  // The thread must not keep a finished process alive; its requests block the caller, never the event loop.
  worker.unref();
  worker.on("exit", () => {
    if (bridge?.worker === worker) bridge = undefined;
  });
  return { worker, port: channel.port1, signal };
}

export class PostgresDatabase implements Db {
  readonly [POSTGRES_CONNECTION] = true;
  readonly memory = false;
  readonly name: string;
  /** The URL as given (with its password): only to open another connection to the same store (report threads). */
  readonly url: string;
  private readonly connection = ++connections;
  private transactionStatus = "I";
  private savepoints = 0;
  private closed = false;

  /** Connects to `url` (a `postgres://` or `postgresql://` URL), blocking until the server answered or refused. */
  constructor(url: string, options: { readonly applicationName?: string } = {}) {
    this.name = redactUrl(url);
    this.url = url;
    try {
      this.call({ op: "connect", url, applicationName: options.applicationName ?? "medsafety" });
    } catch (error) {
      this.closed = true;
      throw error;
    }
  }

  get open(): boolean {
    return !this.closed;
  }

  get inTransaction(): boolean {
    return this.transactionStatus !== "I";
  }

  prepare(sql: string): SqlStatement {
    return new PostgresStatementHandle(this, sql);
  }

  exec(sql: string): this {
    this.call({ op: "exec", sql });
    return this;
  }

  transaction<Arguments extends unknown[], Result>(fn: (...args: Arguments) => Result): Transaction<Arguments, Result> {
    const run = (immediate: boolean, args: Arguments): Result => {
      const nested = this.inTransaction;
      const savepoint = `medsafety_${++this.savepoints}`;
      // SQLite's BEGIN IMMEDIATE takes the write lock at once; the same here is one lock every such transaction takes.
      this.exec(nested ? `SAVEPOINT ${savepoint}` : immediate ? `BEGIN; ${IMMEDIATE_LOCK}` : "BEGIN");
      try {
        const result = fn(...args);
        this.exec(nested ? `RELEASE SAVEPOINT ${savepoint}` : "COMMIT");
        return result;
      } catch (error) {
        if (this.open) this.exec(nested ? `ROLLBACK TO SAVEPOINT ${savepoint}` : "ROLLBACK");
        throw error;
      }
    };
    return Object.assign((...args: Arguments) => run(false, args), {
      immediate: (...args: Arguments) => run(true, args),
    });
  }

  /**
   * Runs one statement written for PostgreSQL as it is: `$1`, `$2`… parameters, no `?`/`@name` rewriting, rows as
   * objects. For SQL another library wrote that must run on this connection, inside its open transaction (the work
   * queue's job inserts, made in the transaction that creates the run).
   */
  query(text: string, values: readonly unknown[] = []): { readonly rows: unknown[]; readonly rowCount: number } {
    const reply = this.call({ op: "query", sql: text, params: values, rowMode: "object" });
    return { rows: restoreBinary(reply.rows ?? [], reply.binary), rowCount: reply.rowCount ?? 0 };
  }

  close(): this {
    if (this.closed) return this;
    try {
      this.call({ op: "close" });
    } finally {
      this.closed = true;
    }
    return this;
  }

  /** Sends one request for this connection to the connection thread and blocks until it answers. */
  call(operation: BridgeOperation): BridgeReply & { ok: true } {
    if (this.closed) throw new TypeError("The database connection is not open");
    bridge ??= startBridge();
    const { port, signal } = bridge;
    const request = { connection: this.connection, sequence: ++sequence, ...operation };
    Atomics.store(signal, 0, 0);
    port.postMessage(request);
    const deadline = Date.now() + ANSWER_TIMEOUT_MS;
    for (;;) {
      // Waited in slices: a wake-up by a reply left over from a request that gave up must not lose ours.
      const waited = Atomics.wait(signal, 0, 0, Math.max(1, Math.min(WAIT_SLICE_MS, deadline - Date.now())));
      for (let received = receiveMessageOnPort(port); received !== undefined; received = receiveMessageOnPort(port)) {
        const reply = received.message as BridgeReply;
        if (reply.sequence === request.sequence) return this.answer(reply);
      }
      if (Date.now() >= deadline) {
        throw new MedsafetyError(
          "store_error",
          `The PostgreSQL store ${this.name} did not answer within ${ANSWER_TIMEOUT_MS / 60_000} minutes. Check that the server is up and reachable, then run the command again.`,
        );
      }
      if (waited !== "timed-out") Atomics.store(signal, 0, 0);
    }
  }

  private answer(reply: BridgeReply): BridgeReply & { ok: true } {
    this.transactionStatus = reply.transaction;
    if (!reply.ok) throw new PostgresError(reply.error);
    return reply;
  }
}

/** Turns Uint8Array columns (bytea, after the thread boundary) into Buffers again, as better-sqlite3 returns BLOBs. */
function restoreBinary(rows: readonly unknown[], binary: readonly (string | number)[] | undefined): unknown[] {
  if (binary === undefined) return rows as unknown[];
  for (const row of rows as Record<string | number, unknown>[]) {
    for (const column of binary) {
      const value = row[column];
      if (value instanceof Uint8Array) row[column] = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    }
  }
  return rows as unknown[];
}

class PostgresStatementHandle implements SqlStatement {
  private plucked = false;
  private rawRows = false;
  constructor(
    private readonly db: PostgresDatabase,
    private readonly sql: string,
  ) {}

  pluck(toggle = true): this {
    this.plucked = toggle;
    if (toggle) this.rawRows = false;
    return this;
  }

  raw(toggle = true): this {
    this.rawRows = toggle;
    if (toggle) this.plucked = false;
    return this;
  }

  private get rowMode(): RowMode {
    return this.plucked || this.rawRows ? "array" : "object";
  }

  private shape(rows: unknown[]): unknown[] {
    return this.plucked ? rows.map((row) => (row as unknown[])[0]) : rows;
  }

  all(...args: readonly unknown[]): unknown[] {
    const statement = toPostgres(this.sql);
    const reply = this.db.call({
      op: "query",
      sql: statement.text,
      params: bindValues(statement, args),
      rowMode: this.rowMode,
    });
    return this.shape(restoreBinary(reply.rows ?? [], reply.binary));
  }

  get(...args: readonly unknown[]): unknown {
    return this.all(...args)[0];
  }

  run(...args: readonly unknown[]): SqlRunResult {
    const statement = toPostgres(this.sql);
    const reply = this.db.call({
      op: "query",
      sql: statement.text,
      params: bindValues(statement, args),
      rowMode: "array",
    });
    return { changes: reply.rowCount ?? 0 };
  }

  *iterate(...args: readonly unknown[]): IterableIterator<unknown> {
    const statement = toPostgres(this.sql);
    const opened = this.db.call({
      op: "cursor-open",
      sql: statement.text,
      params: bindValues(statement, args),
      rowMode: this.rowMode,
    });
    const cursor = opened.cursor as number;
    let done = false;
    try {
      while (!done) {
        const batch = this.db.call({ op: "cursor-read", cursor, count: CURSOR_BATCH });
        done = batch.done === true;
        yield* this.shape(restoreBinary(batch.rows ?? [], batch.binary));
      }
    } finally {
      if (this.db.open) this.db.call({ op: "cursor-close", cursor });
    }
  }
}
