import { errorMessage, MedsafetyError } from "../core/index.js";
import type { Db } from "./database.js";
import { isSqliteFailure, storeErrorOf } from "./store-errors.js";

export interface BatchedWriterOptions {
  /** Commit as soon as this many rows are queued (default 512). */
  readonly batchSize?: number;
  /** Commit queued rows at least this often (default 25 ms). */
  readonly flushIntervalMs?: number;
}

/**
 * A failed write as the project's store error (decision 0012): a SQLite failure (full disk, damaged file, read-only
 * store, I/O error, a lock) becomes `storeErrorOf`'s paragraph naming the store and the fix; anything else (a broken
 * constraint) a `store_error` naming the store and what was being written. A `MedsafetyError` is kept as it is.
 */
export function storeWriteError(error: unknown, path: string, what: string): MedsafetyError {
  if (error instanceof MedsafetyError) return error;
  if (isSqliteFailure(error)) return storeErrorOf(error, path);
  return new MedsafetyError(
    "store_error",
    `Cannot write ${what} to the store ${path}: ${errorMessage(error)}. Check free disk space and that no other process locks the store.`,
    { cause: error },
  );
}

/**
 * Rows queued in arrival order and committed in small transactions (decision 0003): one transaction per batch, every
 * `flushIntervalMs` or `batchSize` rows, and on `flush()`. A crash loses at most the last few milliseconds, which
 * resume redoes; because each commit takes a prefix of the queue, a row is never committed before one added earlier.
 *
 * A failed commit keeps its rows queued (in order, before rows added since) and is thrown, as a `store_error`
 * (`storeWriteError`), by that flush and by every later `add` and `flush` until a commit succeeds: a run ends as
 * `error` instead of losing results. A timer flush never throws into the event loop; its failure waits for the next
 * call.
 */
export class BatchedWriter<Row> {
  private queue: Row[] = [];
  private failure: MedsafetyError | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly writeBatch: (rows: readonly Row[]) => void;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;

  /**
   * `write` stores one row (called inside the batch's transaction); `what` names the rows in error messages
   * ("run results"); `onCommit` hears each committed batch (after its transaction).
   */
  constructor(
    private readonly db: Db,
    write: (row: Row) => void,
    private readonly what: string,
    options: BatchedWriterOptions = {},
    private readonly onCommit?: (rows: readonly Row[]) => void,
  ) {
    this.writeBatch = db.transaction((rows: readonly Row[]) => {
      for (const row of rows) write(row);
    });
    this.batchSize = options.batchSize ?? 512;
    this.flushIntervalMs = options.flushIntervalMs ?? 25;
  }

  /** Queues a row (committing the queue when it holds `batchSize` rows); throws a kept commit failure. */
  add(row: Row): void {
    this.throwIfFailed();
    this.queue.push(row);
    if (this.queue.length >= this.batchSize) this.flush();
    else if (this.timer === undefined) this.timer = setTimeout(() => this.flushInBackground(), this.flushIntervalMs);
  }

  /** Commits everything queued, in one transaction. Call before reading rows back and when a run ends. */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.queue.length === 0) return;
    const rows = this.queue;
    this.queue = [];
    try {
      this.writeBatch(rows);
      this.failure = undefined;
    } catch (error) {
      this.queue = [...rows, ...this.queue];
      this.failure = storeWriteError(error, this.db.name, this.what);
      throw this.failure;
    }
    this.onCommit?.(rows);
  }

  /** Throws the failure of the last commit, if it failed (nothing is committed until a flush succeeds). */
  throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /** Rows queued and not yet committed. */
  get queued(): number {
    return this.queue.length;
  }

  private flushInBackground(): void {
    try {
      this.flush();
    } catch {
      // kept in this.failure, thrown by the next add or flush
    }
  }
}
