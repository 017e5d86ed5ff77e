/**
 * The thread that holds the PostgreSQL connections (`pg` clients) of a process's `PostgresDatabase`s, one client per
 * connection number. It answers each request on the port, then raises the shared flag the caller is blocked on. Integers (int8, numeric) are read as JS numbers, as
 * SQLite gives them; `bytea` as Buffers. A cursor (`pg-cursor`) streams large results in batches.
 */
import { type MessagePort, workerData } from "node:worker_threads";
import pg from "pg";
import Cursor from "pg-cursor";
import type { BridgeError, BridgeReply, BridgeRequest, BridgeStart, RowMode } from "./bridge-protocol.js";

const BYTEA = 17;
pg.types.setTypeParser(20, (value) => Number(value)); // int8: COUNT(*), SUM of integers
pg.types.setTypeParser(1700, (value) => Number(value)); // numeric: SUM of bigint, AVG of integers

const start = workerData as BridgeStart;
const port: MessagePort = start.port;

interface Connection {
  readonly client: pg.Client;
  readonly cursors: Map<number, Cursor>;
}
const connections = new Map<number, Connection>();
let nextCursor = 1;

function reply(message: BridgeReply): void {
  port.postMessage(message);
  Atomics.store(start.signal, 0, 1);
  Atomics.notify(start.signal, 0);
}

function errorOf(error: unknown): BridgeError {
  const fields = (typeof error === "object" && error !== null ? error : {}) as Record<string, unknown>;
  const text = (key: string): Record<string, string> =>
    typeof fields[key] === "string" ? { [key]: fields[key] as string } : {};
  return {
    message: error instanceof Error ? error.message : String(error),
    ...text("code"),
    ...text("detail"),
    ...text("constraint"),
  };
}

/** Parameters arrive structured-cloned: a Buffer is a Uint8Array again, which `pg` would send as text. */
function parameters(values: readonly unknown[]): unknown[] {
  return values.map((value) =>
    value instanceof Uint8Array && !Buffer.isBuffer(value)
      ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
      : value,
  );
}

function binaryColumns(fields: readonly { name: string; dataTypeID: number }[], rowMode: RowMode) {
  const found: (string | number)[] = [];
  fields.forEach((field, index) => {
    if (field.dataTypeID === BYTEA) found.push(rowMode === "array" ? index : field.name);
  });
  return found.length === 0 ? {} : { binary: found };
}

type Answer = Omit<BridgeReply & { ok: true }, "ok" | "sequence" | "transaction">;

async function connect(request: BridgeRequest & { op: "connect" }): Promise<Answer> {
  const client = new pg.Client({ connectionString: request.url, application_name: request.applicationName });
  // A dropped connection (server restart, network) fails the next request with its error instead of the thread.
  client.on("error", () => undefined);
  await client.connect();
  connections.set(request.connection, { client, cursors: new Map() });
  return {};
}

async function handle(request: BridgeRequest, { client, cursors }: Connection): Promise<Answer> {
  switch (request.op) {
    case "connect":
      throw new Error(`connection ${request.connection} is already open`);
    case "query": {
      const result = await client.query({
        text: request.sql,
        values: parameters(request.params),
        ...(request.rowMode === "array" ? { rowMode: "array" } : {}),
      });
      return {
        rows: result.rows,
        rowCount: result.rowCount ?? 0,
        ...binaryColumns(result.fields ?? [], request.rowMode),
      };
    }
    case "exec":
      await client.query(request.sql);
      return {};
    case "cursor-open": {
      const cursor = client.query(
        new Cursor(request.sql, parameters(request.params), request.rowMode === "array" ? { rowMode: "array" } : {}),
      );
      const id = nextCursor++;
      cursors.set(id, cursor);
      return { cursor: id };
    }
    case "cursor-read": {
      const cursor = cursors.get(request.cursor);
      if (cursor === undefined) throw new Error(`no open cursor ${request.cursor}`);
      const { rows, fields } = await new Promise<{ rows: unknown[]; fields: pg.FieldDef[] }>((resolve, reject) => {
        cursor.read(request.count, (error, rows, result) =>
          error ? reject(error) : resolve({ rows, fields: result.fields ?? [] }),
        );
      });
      const rowMode: RowMode = rows.length > 0 && Array.isArray(rows[0]) ? "array" : "object";
      return { rows, done: rows.length < request.count, ...binaryColumns(fields, rowMode) };
    }
    case "cursor-close": {
      const cursor = cursors.get(request.cursor);
      cursors.delete(request.cursor);
      if (cursor !== undefined) await cursor.close();
      return {};
    }
    case "close":
      connections.delete(request.connection);
      for (const cursor of cursors.values()) await cursor.close().catch(() => undefined);
      await client.end();
      return {};
  }
}

function statusOf(connection: Connection | undefined): string {
  return connection?.client.getTransactionStatus() ?? "I";
}

port.on("message", (request: BridgeRequest) => {
  void (async () => {
    const connection = connections.get(request.connection);
    try {
      let answer: Answer;
      if (request.op === "connect") answer = await connect(request);
      else if (connection === undefined) throw new Error(`connection ${request.connection} is not open`);
      else answer = await handle(request, connection);
      const transaction = statusOf(connections.get(request.connection));
      reply({ ok: true, sequence: request.sequence, transaction, ...answer });
    } catch (error) {
      const status = connection === undefined ? "I" : (connection.client.getTransactionStatus() ?? "E");
      reply({ ok: false, sequence: request.sequence, transaction: status, error: errorOf(error) });
    }
  })();
});
