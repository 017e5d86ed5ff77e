/**
 * The messages between PostgreSQL connections (postgres-database.ts, on the caller's thread) and the one thread per
 * process that holds their `pg` clients (bridge-worker.ts). The caller posts a request and blocks on a shared flag until the thread
 * has posted the reply on a port (decision 0014).
 */
import type { MessagePort } from "node:worker_threads";

export type RowMode = "object" | "array";

/**
 * A request for one of the thread's connections (`connection`, numbered by the caller's side); `sequence` numbers the
 * requests, and the reply repeats it, so a caller never takes another request's reply for its own.
 */
export type BridgeRequest = { readonly connection: number; readonly sequence: number } & BridgeOperation;

export type BridgeOperation =
  | { readonly op: "connect"; readonly url: string; readonly applicationName: string }
  | { readonly op: "query"; readonly sql: string; readonly params: readonly unknown[]; readonly rowMode: RowMode }
  | { readonly op: "exec"; readonly sql: string }
  | {
      readonly op: "cursor-open";
      readonly sql: string;
      readonly params: readonly unknown[];
      readonly rowMode: RowMode;
    }
  | { readonly op: "cursor-read"; readonly cursor: number; readonly count: number }
  | { readonly op: "cursor-close"; readonly cursor: number }
  | { readonly op: "close" };

/** A PostgreSQL or connection error as plain data: SQLSTATE `code`, and the server's detail where it gave one. */
export interface BridgeError {
  readonly message: string;
  readonly code?: string;
  readonly detail?: string;
  readonly constraint?: string;
}

export type BridgeReply =
  | {
      readonly ok: true;
      readonly sequence: number;
      /** The connection's transaction status after the request: I (idle), T (in a transaction), E (failed one). */
      readonly transaction: string;
      readonly rows?: readonly unknown[];
      readonly rowCount?: number;
      /** Object keys or array positions of `bytea` columns (they arrive as Uint8Array and become Buffers again). */
      readonly binary?: readonly (string | number)[];
      readonly cursor?: number;
      readonly done?: boolean;
    }
  | { readonly ok: false; readonly sequence: number; readonly transaction: string; readonly error: BridgeError };

/** What the thread is started with (`workerData`). */
export interface BridgeStart {
  /** Int32Array over a SharedArrayBuffer: 0 while a request is pending, 1 when its reply is on the port. */
  readonly signal: Int32Array;
  readonly port: MessagePort;
}
