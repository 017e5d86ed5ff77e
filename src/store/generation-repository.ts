import { errorMessage as messageOf } from "../core/index.js";
import { BatchedWriter, type BatchedWriterOptions } from "./batched-writer.js";
import type { Db } from "./database.js";
import { upsertSql } from "./sql-upsert.js";
import { parseStoredJson } from "./stored-json.js";

export const GENERATION_TASK_STATUSES = ["success", "failed", "error"] as const;
/** success: a validated output; failed: the model answered but the answer never passed validation; error: the call failed. */
export type GenerationTaskStatus = (typeof GENERATION_TASK_STATUSES)[number];
export type GenerationRunStatus = "started" | "success" | "cancelled" | "error";

/** One generation task's result, as stored. */
export interface GenerationTaskRow {
  readonly key: string;
  readonly runId: string;
  /** What kind of task: seed-batch, refusal-answer, refusal-verdict, conversation, translation, back-translation. */
  readonly kind: string;
  /** What the task is about (guideline id, seed id, item id): audits and stats read tasks by subject. */
  readonly subject: string;
  readonly modelId: string;
  readonly modelSpec: string;
  readonly promptHash: string;
  /** The task's inputs (JSON), for audits. */
  readonly inputJson: string;
  readonly status: GenerationTaskStatus;
  /** The model's last raw text (kept for failed tasks too). */
  readonly rawOutput: string | null;
  /** The validated output (JSON), present exactly when status is success. */
  readonly outputJson: string | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly attempts: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly latencyMs: number;
  readonly createdAt: string;
  /** Input tokens read from / written to the provider's prompt cache (part of `inputTokens`; absent: 0). */
  readonly cachedInputTokens?: number;
  readonly cacheWriteTokens?: number;
  /** A call of the task went through the provider's batch API (absent: false). */
  readonly batched?: boolean;
  /** The task's calls' price in USD when they were made; null or absent: unpriced. */
  readonly costUsd?: number | null;
}

/** What a generation run's tasks cost, summed in SQL (`GenerationRepository.costs`). */
export interface GenerationCost {
  /** USD of the priced tasks. */
  readonly costUsd: number;
  readonly pricedTasks: number;
  /** Tasks whose cost is unknown (NULL): never counted as 0. */
  readonly unpricedTasks: number;
  readonly inputTokens: number;
  readonly cachedInputTokens: number;
  readonly cacheWriteTokens: number;
  readonly outputTokens: number;
}

export interface GenerationRunRecord {
  readonly id: string;
  readonly command: string;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly status: GenerationRunStatus;
  readonly params: unknown;
  readonly summary: unknown;
  readonly packageVersion: string;
  readonly errorMessage: string | null;
}

/** Counts of tasks by kind and status (and model), for `benchmark stats` and summaries. */
export interface GenerationTaskCount {
  readonly kind: string;
  readonly modelId: string;
  readonly status: GenerationTaskStatus;
  readonly count: number;
}

const TASK_COLUMNS = [
  "key",
  "run_id",
  "kind",
  "subject",
  "model_id",
  "model_spec",
  "prompt_hash",
  "input_json",
  "status",
  "raw_output",
  "output_json",
  "error_code",
  "error_message",
  "attempts",
  "input_tokens",
  "output_tokens",
  "latency_ms",
  "created_at",
  "cached_input_tokens",
  "cache_write_tokens",
  "batched",
  "cost_usd",
] as const;

const SELECT_TASK = `SELECT key, run_id AS "runId", kind, subject, model_id AS "modelId", model_spec AS "modelSpec", prompt_hash AS "promptHash",
  input_json AS "inputJson", status, raw_output AS "rawOutput", output_json AS "outputJson", error_code AS "errorCode", error_message AS "errorMessage",
  attempts, input_tokens AS "inputTokens", output_tokens AS "outputTokens", latency_ms AS "latencyMs", created_at AS "createdAt",
  cached_input_tokens AS "cachedInputTokens", cache_write_tokens AS "cacheWriteTokens", batched, cost_usd AS "costUsd" FROM generation_tasks`;

/** A row as `SELECT_TASK` reads it: `batched` is the stored 0/1. */
type StoredTaskRow = Omit<GenerationTaskRow, "batched"> & { readonly batched: number };

function fromStored(row: StoredTaskRow): GenerationTaskRow {
  return { ...row, batched: row.batched === 1 };
}

function taskValues(row: GenerationTaskRow): unknown[] {
  return [
    row.key,
    row.runId,
    row.kind,
    row.subject,
    row.modelId,
    row.modelSpec,
    row.promptHash,
    row.inputJson,
    row.status,
    row.rawOutput,
    row.outputJson,
    row.errorCode,
    row.errorMessage,
    row.attempts,
    row.inputTokens,
    row.outputTokens,
    row.latencyMs,
    row.createdAt,
    row.cachedInputTokens ?? 0,
    row.cacheWriteTokens ?? 0,
    row.batched === true ? 1 : 0,
    row.costUsd ?? null,
  ];
}

/**
 * Generation runs and tasks. Task rows are queued and committed in small transactions (`BatchedWriter`: every
 * `flushIntervalMs` or `batchSize` rows), like turn results: a crash loses at most the last few milliseconds, which the next run redoes.
 * A key is stored once (an upsert, `upsertSql`): a retried task replaces its failed row.
 */
export class GenerationRepository {
  private readonly lookupStatement;
  private readonly writer: BatchedWriter<GenerationTaskRow>;
  /** Queued rows by key, so `lookup` sees them before they are committed. */
  private readonly pending = new Map<string, GenerationTaskRow>();

  constructor(
    private readonly db: Db,
    options: BatchedWriterOptions = {},
  ) {
    const upsert = db.prepare(upsertSql("generation_tasks", TASK_COLUMNS));
    this.lookupStatement = db.prepare(`${SELECT_TASK} WHERE key = ?`);
    this.writer = new BatchedWriter(
      db,
      (row) => upsert.run(taskValues(row)),
      "generation results",
      options,
      (rows) => {
        for (const row of rows) if (this.pending.get(row.key) === row) this.pending.delete(row.key);
      },
    );
  }

  createRun(run: { id: string; command: string; params: unknown; packageVersion: string }, now = new Date()): void {
    const stamp = now.toISOString();
    this.db
      .prepare(
        `INSERT INTO generation_runs (id, command, created_at, updated_at, status, params_json, package_version) VALUES (?, ?, ?, ?, 'started', ?, ?)`,
      )
      .run(run.id, run.command, stamp, stamp, JSON.stringify(run.params), run.packageVersion);
  }

  /** Marks a stored run as started again (a resumed run keeps its id, parameters and creation time). */
  reopenRun(id: string, now = new Date()): void {
    this.db
      .prepare(
        "UPDATE generation_runs SET status = 'started', updated_at = ?, finished_at = NULL, error_message = NULL WHERE id = ?",
      )
      .run(now.toISOString(), id);
  }

  /**
   * Flushes queued tasks and records the run's end. The status is recorded even when the flush fails: then as
   * `error`, with the flush failure added to the message (the run's own error, if any, first), and the flush
   * failure is thrown after the status is stored.
   */
  finishRun(
    id: string,
    status: Exclude<GenerationRunStatus, "started">,
    summary: unknown,
    errorMessage: string | null = null,
    now = new Date(),
  ): void {
    let flushFailure: unknown;
    try {
      this.flush();
    } catch (error) {
      flushFailure = error;
    }
    const flushNote = flushFailure === undefined ? null : `storing the last tasks failed: ${messageOf(flushFailure)}`;
    const message =
      flushNote === null ? errorMessage : errorMessage === null ? flushNote : `${errorMessage} Also, ${flushNote}`;
    const stamp = now.toISOString();
    this.db
      .prepare(
        "UPDATE generation_runs SET status = ?, updated_at = ?, finished_at = ?, summary_json = ?, error_message = ? WHERE id = ?",
      )
      .run(flushFailure === undefined ? status : "error", stamp, stamp, JSON.stringify(summary), message, id);
    if (flushFailure !== undefined) throw flushFailure;
  }

  getRun(id: string): GenerationRunRecord | undefined {
    const row = this.db.prepare("SELECT * FROM generation_runs WHERE id = ?").get(id) as
      | Record<string, unknown>
      | undefined;
    if (row === undefined) return undefined;
    return {
      id: String(row["id"]),
      command: String(row["command"]),
      createdAt: String(row["created_at"]),
      finishedAt: (row["finished_at"] as string | null) ?? null,
      status: row["status"] as GenerationRunStatus,
      params: parseStoredJson(String(row["params_json"]), "generation_runs.params_json"),
      summary:
        row["summary_json"] === null
          ? null
          : parseStoredJson(String(row["summary_json"]), "generation_runs.summary_json"),
      packageVersion: String(row["package_version"]),
      errorMessage: (row["error_message"] as string | null) ?? null,
    };
  }

  /** The stored row of a key (rows still queued included), or undefined. */
  lookup(key: string): GenerationTaskRow | undefined {
    const pending = this.pending.get(key);
    if (pending !== undefined) return pending;
    const stored = this.lookupStatement.get(key) as StoredTaskRow | undefined;
    return stored === undefined ? undefined : fromStored(stored);
  }

  save(row: GenerationTaskRow): void {
    this.writer.throwIfFailed();
    // Before add: a full queue is committed inside add, and the commit forgets the rows it stored.
    this.pending.set(row.key, row);
    this.writer.add(row);
  }

  /** Commits everything queued; a failed commit keeps the rows queued and is thrown here and by every later save. */
  flush(): void {
    this.writer.flush();
  }

  /** Every stored task of a subject (e.g. a seed's refusal answers and verdicts), ordered by kind, model and key. */
  tasksOf(subject: string, kinds?: readonly string[]): GenerationTaskRow[] {
    this.flush();
    const rows = (
      this.db.prepare(`${SELECT_TASK} WHERE subject = ? ORDER BY kind, model_id, key`).all(subject) as StoredTaskRow[]
    ).map(fromStored);
    return kinds === undefined ? rows : rows.filter((row) => kinds.includes(row.kind));
  }

  /** Task counts by kind, model and status (optionally of one run). */
  counts(runId?: string): GenerationTaskCount[] {
    this.flush();
    const where = runId === undefined ? "" : "WHERE run_id = ?";
    const statement = this.db.prepare(
      `SELECT kind, model_id AS "modelId", status, COUNT(*) AS count FROM generation_tasks ${where} GROUP BY kind, model_id, status ORDER BY kind, model_id, status`,
    );
    return (runId === undefined ? statement.all() : statement.all(runId)) as GenerationTaskCount[];
  }

  /** Tasks that did not succeed (failed or error), newest first (then by key), at most `limit`. */
  failures(options: { kind?: string; limit?: number } = {}): GenerationTaskRow[] {
    this.flush();
    const kindClause = options.kind === undefined ? "" : "AND kind = ?";
    const statement = this.db.prepare(
      `${SELECT_TASK} WHERE status != 'success' ${kindClause} ORDER BY created_at DESC, key LIMIT ?`,
    );
    const limit = options.limit ?? 20;
    return (
      (options.kind === undefined ? statement.all(limit) : statement.all(options.kind, limit)) as StoredTaskRow[]
    ).map(fromStored);
  }

  /** What a generation run's stored tasks cost (a resumed run's earlier tasks included): priced USD, unpriced count, tokens. */
  costs(runId: string): GenerationCost {
    this.flush();
    const row = this.db
      .prepare(`SELECT COALESCE(SUM(cost_usd), 0) AS "costUsd", COUNT(cost_usd) AS "pricedTasks",
          COUNT(*) - COUNT(cost_usd) AS "unpricedTasks", COALESCE(SUM(input_tokens), 0) AS "inputTokens",
          COALESCE(SUM(cached_input_tokens), 0) AS "cachedInputTokens", COALESCE(SUM(cache_write_tokens), 0) AS "cacheWriteTokens",
          COALESCE(SUM(output_tokens), 0) AS "outputTokens"
        FROM generation_tasks WHERE run_id = ?`)
      .get(runId) as Record<keyof GenerationCost, number | string>;
    return {
      costUsd: Number(row.costUsd),
      pricedTasks: Number(row.pricedTasks),
      unpricedTasks: Number(row.unpricedTasks),
      inputTokens: Number(row.inputTokens),
      cachedInputTokens: Number(row.cachedInputTokens),
      cacheWriteTokens: Number(row.cacheWriteTokens),
      outputTokens: Number(row.outputTokens),
    };
  }
}
