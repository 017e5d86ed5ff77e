import type { Db } from "./sql-database.js";

/** Where a request stands in the newest batch of a binding that holds it. */
export interface StoredBatchRequestRow {
  readonly batchId: string;
  readonly providerBatchId: string;
  readonly batchStatus: "pending" | "ended";
  readonly requestStatus: "pending" | "succeeded" | "failed";
}

/** A submitted batch, stored before anything waits on it. */
export interface NewBatchRow {
  readonly id: string;
  readonly modelId: string;
  readonly provider: "openai" | "anthropic";
  readonly providerBatchId: string;
  readonly providerStatus: string;
  readonly inputFileId?: string;
  readonly customIds: readonly string[];
  readonly createdAt: string;
}

/** How a batch ended: the provider's status, its result files, which requests succeeded and which failed. */
export interface BatchEndRow {
  readonly providerStatus: string;
  readonly outputFileId?: string;
  readonly errorFileId?: string;
  readonly endedAt: string;
  readonly succeeded: readonly string[];
  readonly failed: readonly string[];
}

/** One stored batch, as `batches` lists it. */
export interface BatchRow {
  readonly id: string;
  readonly runId: string;
  readonly modelId: string;
  readonly provider: string;
  readonly providerBatchId: string;
  readonly status: "pending" | "ended";
  readonly providerStatus: string;
  readonly requestCount: number;
  readonly inputFileId: string | null;
  readonly outputFileId: string | null;
  readonly errorFileId: string | null;
  readonly createdAt: string;
  readonly endedAt: string | null;
}

/** The batches of one run, as the batch mode of providers/ keeps them (its `BatchStore` port). */
export interface RunBatchStore {
  findRequest(modelId: string, customId: string): StoredBatchRequestRow | undefined;
  saveBatch(batch: NewBatchRow): void;
  endBatch(batchId: string, end: BatchEndRow): void;
}

/** Rows per multi-row statement (3 bound parameters each: far below both databases' limits). */
const ROWS_PER_STATEMENT = 500;

/**
 * Batch mode's batches (migration 11, decision 0019): every batch a `batch: true` binding submitted for a run, and the
 * `custom_id` of each request in it, so that a killed run resumes by polling instead of sending again.
 */
export class BatchRepository {
  constructor(private readonly db: Db) {}

  /** The `BatchStore` of one run. */
  forRun(runId: string): RunBatchStore {
    return {
      findRequest: (modelId, customId) => this.findRequest(runId, modelId, customId),
      saveBatch: (batch) => this.saveBatch(runId, batch),
      endBatch: (batchId, end) => this.endBatch(batchId, end),
    };
  }

  /** The newest batch of this run and binding that holds the request. */
  findRequest(runId: string, modelId: string, customId: string): StoredBatchRequestRow | undefined {
    const row = this.db
      .prepare(
        `SELECT b.id AS "batchId", b.provider_batch_id AS "providerBatchId", b.status AS "batchStatus",
                r.status AS "requestStatus"
         FROM batch_requests r JOIN batches b ON b.id = r.batch_id
         WHERE r.custom_id = ? AND b.run_id = ? AND b.model_id = ?
         ORDER BY b.created_at DESC, b.id DESC LIMIT 1`,
      )
      .get(customId, runId, modelId) as StoredBatchRequestRow | undefined;
    return row === undefined ? undefined : { ...row };
  }

  /** Stores a submitted batch and its requests (all pending) in one transaction. */
  saveBatch(runId: string, batch: NewBatchRow): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO batches (id, run_id, model_id, provider, provider_batch_id, status, provider_status,
             request_count, input_file_id, created_at)
           VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)`,
        )
        .run(
          batch.id,
          runId,
          batch.modelId,
          batch.provider,
          batch.providerBatchId,
          batch.providerStatus,
          batch.customIds.length,
          batch.inputFileId ?? null,
          batch.createdAt,
        );
      for (let start = 0; start < batch.customIds.length; start += ROWS_PER_STATEMENT) {
        const chunk = batch.customIds.slice(start, start + ROWS_PER_STATEMENT);
        this.db
          .prepare(
            `INSERT INTO batch_requests (batch_id, custom_id, status) VALUES ${chunk.map(() => "(?, ?, 'pending')").join(", ")}`,
          )
          .run(...chunk.flatMap((customId) => [batch.id, customId]));
      }
    })();
  }

  /** Records how a batch ended and each request's outcome; a request in neither list stays pending. */
  endBatch(batchId: string, end: BatchEndRow): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE batches SET status = 'ended', provider_status = ?, output_file_id = ?, error_file_id = ?, ended_at = ?
           WHERE id = ?`,
        )
        .run(end.providerStatus, end.outputFileId ?? null, end.errorFileId ?? null, end.endedAt, batchId);
      for (const [status, ids] of [
        ["succeeded", end.succeeded],
        ["failed", end.failed],
      ] as const) {
        for (let start = 0; start < ids.length; start += ROWS_PER_STATEMENT) {
          const chunk = ids.slice(start, start + ROWS_PER_STATEMENT);
          this.db
            .prepare(
              `UPDATE batch_requests SET status = ? WHERE batch_id = ? AND custom_id IN (${chunk.map(() => "?").join(", ")})`,
            )
            .run(status, batchId, ...chunk);
        }
      }
    })();
  }

  /** A run's batches, oldest first. */
  listForRun(runId: string): BatchRow[] {
    return this.db
      .prepare(
        `SELECT id, run_id AS "runId", model_id AS "modelId", provider, provider_batch_id AS "providerBatchId", status,
                provider_status AS "providerStatus", request_count AS "requestCount", input_file_id AS "inputFileId",
                output_file_id AS "outputFileId", error_file_id AS "errorFileId", created_at AS "createdAt",
                ended_at AS "endedAt"
         FROM batches WHERE run_id = ? ORDER BY created_at, id`,
      )
      .all(runId) as BatchRow[];
  }

  /** How many of a run's batch requests are in each status. */
  requestCounts(runId: string): Record<"pending" | "succeeded" | "failed", number> {
    const rows = this.db
      .prepare(
        `SELECT r.status AS status, COUNT(*) AS count FROM batch_requests r JOIN batches b ON b.id = r.batch_id
         WHERE b.run_id = ? GROUP BY r.status`,
      )
      .all(runId) as Array<{ status: "pending" | "succeeded" | "failed"; count: number | string }>;
    const counts = { pending: 0, succeeded: 0, failed: 0 };
    for (const row of rows) counts[row.status] = Number(row.count);
    return counts;
  }
}
