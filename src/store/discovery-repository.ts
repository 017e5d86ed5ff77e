import type { Db } from "./database.js";
import { upsertSql } from "./sql-upsert.js";

/** One jailbreak attempt of strategy discovery, as stored. */
export interface DiscoveryAttemptRow {
  readonly key: string;
  readonly runId: string;
  readonly seedId: string;
  readonly language: string;
  readonly phase: "warmup" | "lifelong";
  readonly pass: number;
  readonly iteration: number;
  readonly attackerId: string;
  readonly targetId: string;
  /** scored: a valid score; unscored: the attacker's or the scorer's answer never validated; error: a call failed. */
  readonly status: "scored" | "unscored" | "error";
  readonly prompt: string | null;
  readonly response: string | null;
  readonly score: number | null;
  readonly rationale: string | null;
  /** The previous scored attempt of the same seed in the same pass, and this attempt's score minus its score. */
  readonly previousKey: string | null;
  readonly gain: number | null;
  /** Strategy ids shown to the attacker as effective / to avoid (JSON arrays). */
  readonly effectiveJson: string;
  readonly ineffectiveJson: string;
  readonly responseEmbeddingKey: string | null;
  readonly detail: string | null;
  readonly createdAt: string;
}

/** One summarizer call on a pair of attempts (kept whatever its outcome). */
export interface DiscoverySummaryRow {
  readonly key: string;
  readonly runId: string;
  readonly seedId: string;
  readonly weakerKey: string;
  readonly strongerKey: string;
  readonly gain: number;
  readonly status: "success" | "failed" | "error";
  readonly summaryJson: string | null;
  readonly rawOutput: string | null;
  readonly detail: string | null;
  readonly strategyId: string | null;
  readonly merged: number;
  readonly similarity: number | null;
  readonly createdAt: string;
}

/** A strategy of a discovery run's library. */
export interface DiscoveryStrategyRow {
  readonly runId: string;
  readonly id: string;
  /** Order of first discovery within the run. */
  readonly seq: number;
  readonly nameJson: string;
  readonly definitionJson: string;
  readonly exampleJson: string;
  readonly embedding: Uint8Array;
  readonly targetId: string;
  readonly firstAttemptKey: string;
  readonly firstDiscoveredAt: string;
  readonly lineageJson: string;
}

/** A library key: the embedding of a target response a strategy overcame, with the score gain. */
export interface DiscoveryLibraryKeyRow {
  readonly key: string;
  readonly runId: string;
  readonly strategyId: string;
  readonly seedId: string;
  readonly targetId: string;
  readonly gain: number;
  readonly responseEmbedding: Uint8Array;
  readonly createdAt: string;
}

export interface StoredEmbedding {
  readonly vector: Uint8Array;
  readonly inputTokens: number;
}

const ATTEMPT_COLUMNS = [
  "key",
  "run_id",
  "seed_id",
  "language",
  "phase",
  "pass",
  "iteration",
  "attacker_id",
  "target_id",
  "status",
  "prompt",
  "response",
  "score",
  "rationale",
  "previous_key",
  "gain",
  "effective_json",
  "ineffective_json",
  "response_embedding_key",
  "detail",
  "created_at",
] as const;
const SUMMARY_COLUMNS = [
  "key",
  "run_id",
  "seed_id",
  "weaker_key",
  "stronger_key",
  "gain",
  "status",
  "summary_json",
  "raw_output",
  "detail",
  "strategy_id",
  "merged",
  "similarity",
  "created_at",
] as const;
const STRATEGY_COLUMNS = [
  "run_id",
  "id",
  "seq",
  "name_json",
  "definition_json",
  "example_json",
  "embedding",
  "target_id",
  "first_attempt_key",
  "first_discovered_at",
  "lineage_json",
] as const;
const KEY_COLUMNS = [
  "key",
  "run_id",
  "strategy_id",
  "seed_id",
  "target_id",
  "gain",
  "response_embedding",
  "created_at",
] as const;

const camel = (column: string): string => column.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
/** An upsert that keeps the first write's time columns: a resumed run that writes a key again keeps when it first happened. */
const insert = (table: string, columns: readonly string[], conflict: string, keep: readonly string[]): string =>
  `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map((column) => `@${camel(column)}`).join(", ")}) ` +
  `ON CONFLICT(${conflict}) DO UPDATE SET ${columns
    .filter((column) => !keep.includes(column) && !conflict.split(", ").includes(column))
    .map((column) => `${column} = excluded.${column}`)
    .join(", ")}`;
const select = (table: string, columns: readonly string[]): string =>
  `SELECT ${columns.map((column) => `${column} AS "${camel(column)}"`).join(", ")} FROM ${table}`;

/**
 * Strategy discovery's rows (migration 7). Writes are immediate (one autocommit statement each): discovery makes a few
 * calls per row, so durability after a kill matters more than batching. Keys are deterministic; a resumed run writes
 * the same keys again (an upsert that keeps the first write's time).
 */
export class DiscoveryRepository {
  private readonly statements;

  constructor(private readonly db: Db) {
    this.statements = {
      attempt: db.prepare(insert("discovery_attempts", ATTEMPT_COLUMNS, "key", ["created_at"])),
      summary: db.prepare(insert("discovery_summaries", SUMMARY_COLUMNS, "key", ["created_at"])),
      strategy: db.prepare(insert("discovery_strategies", STRATEGY_COLUMNS, "run_id, id", ["first_discovered_at"])),
      libraryKey: db.prepare(insert("discovery_library_keys", KEY_COLUMNS, "key", ["created_at"])),
      embedding: db.prepare(
        upsertSql("discovery_embeddings", [
          "key",
          "model_id",
          "model_spec",
          "dimensions",
          "vector",
          "input_tokens",
          "created_at",
        ]),
      ),
      lookupEmbedding: db.prepare(
        'SELECT vector, input_tokens AS "inputTokens" FROM discovery_embeddings WHERE key = ?',
      ),
    };
  }

  saveAttempt(row: DiscoveryAttemptRow): void {
    this.statements.attempt.run(row);
  }

  saveSummary(row: DiscoverySummaryRow): void {
    this.statements.summary.run(row);
  }

  saveStrategy(row: DiscoveryStrategyRow): void {
    this.statements.strategy.run(row);
  }

  saveLibraryKey(row: DiscoveryLibraryKeyRow): void {
    this.statements.libraryKey.run(row);
  }

  saveEmbedding(
    key: string,
    model: { id: string; spec: string },
    vector: Uint8Array,
    dimensions: number,
    inputTokens: number,
    now = new Date(),
  ): void {
    this.statements.embedding.run(key, model.id, model.spec, dimensions, vector, inputTokens, now.toISOString());
  }

  lookupEmbedding(key: string): StoredEmbedding | undefined {
    return this.statements.lookupEmbedding.get(key) as StoredEmbedding | undefined;
  }

  attempts(runId: string): DiscoveryAttemptRow[] {
    return this.db
      .prepare(`${select("discovery_attempts", ATTEMPT_COLUMNS)} WHERE run_id = ? ORDER BY created_at, key`)
      .all(runId) as DiscoveryAttemptRow[];
  }

  summaries(runId: string): DiscoverySummaryRow[] {
    return this.db
      .prepare(`${select("discovery_summaries", SUMMARY_COLUMNS)} WHERE run_id = ? ORDER BY created_at, key`)
      .all(runId) as DiscoverySummaryRow[];
  }

  strategies(runId: string): DiscoveryStrategyRow[] {
    return this.db
      .prepare(`${select("discovery_strategies", STRATEGY_COLUMNS)} WHERE run_id = ? ORDER BY seq`)
      .all(runId) as DiscoveryStrategyRow[];
  }

  libraryKeys(runId: string): DiscoveryLibraryKeyRow[] {
    return this.db
      .prepare(`${select("discovery_library_keys", KEY_COLUMNS)} WHERE run_id = ? ORDER BY created_at, key`)
      .all(runId) as DiscoveryLibraryKeyRow[];
  }

  /** Every run that holds a strategy with this id, newest first (runs created at the same time by id). */
  runsWithStrategy(id: string): string[] {
    return this.db
      .prepare(
        "SELECT s.run_id FROM discovery_strategies s JOIN generation_runs r ON r.id = s.run_id WHERE s.id = ? ORDER BY r.created_at DESC, s.run_id",
      )
      .pluck()
      .all(id) as string[];
  }

  /** The newest discovery run (by creation), if any. */
  latestRun(): string | undefined {
    return this.db
      .prepare("SELECT id FROM generation_runs WHERE command = 'discover' ORDER BY created_at DESC, id DESC LIMIT 1")
      .pluck()
      .get() as string | undefined;
  }
}
