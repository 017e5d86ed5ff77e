import type { Db } from "./database.js";

/**
 * What earlier calls of one model in one run produced, for estimates (`--estimate`): successful, uncached calls only
 * (a response-cache hit says nothing about a model's length or speed).
 */
export interface ObservedRunCalls {
  readonly runId: string;
  readonly role: "target" | "judge" | "attacker";
  /** The binding's id in that run's config (its `model` spec is in the run's frozen config). */
  readonly modelId: string;
  readonly calls: number;
  readonly outputTokens: number;
  /** Summed latency in milliseconds (0 for the attacker, whose latency is not stored). */
  readonly latencyMs: number;
}

/** Earlier generation tasks' successful calls of one model spec and task kind. */
export interface ObservedGenerationCalls {
  readonly modelSpec: string;
  readonly kind: string;
  readonly calls: number;
  readonly outputTokens: number;
  readonly latencyMs: number;
}

/**
 * Successful, uncached target turns and scored judgments of every run, summed per run and model, and the attacker's
 * calls of adaptive runs per run: two grouped scans plus one over conversations. Both dialects accept the SQL.
 */
export function observedRunCalls(db: Db): ObservedRunCalls[] {
  const turns = db
    .prepare(`SELECT run_id AS "runId", 'target' AS role, target_id AS "modelId", COUNT(*) AS calls,
        SUM(output_tokens) AS "outputTokens", SUM(latency_ms) AS "latencyMs"
      FROM turns WHERE status = 'success' AND cached = 0 GROUP BY run_id, target_id`)
    .all() as ObservedRunCalls[];
  const judgments = db
    .prepare(`SELECT run_id AS "runId", 'judge' AS role, judge_id AS "modelId", COUNT(*) AS calls,
        SUM(output_tokens) AS "outputTokens", SUM(latency_ms) AS "latencyMs"
      FROM judgments WHERE status = 'scored' AND cached = 0 GROUP BY run_id, judge_id`)
    .all() as ObservedRunCalls[];
  const attacker = db
    .prepare(`SELECT run_id AS "runId", 'attacker' AS role, attacker_id AS "modelId", SUM(attacker_calls) AS calls,
        SUM(attacker_output_tokens) AS "outputTokens", 0 AS "latencyMs"
      FROM conversations WHERE attacker_id IS NOT NULL GROUP BY run_id, attacker_id HAVING SUM(attacker_calls) > 0`)
    .all() as ObservedRunCalls[];
  return [...turns, ...judgments, ...attacker].map(numeric);
}

/** Successful generation tasks summed per model spec and task kind (a task's calls: its attempts). */
export function observedGenerationCalls(db: Db): ObservedGenerationCalls[] {
  const rows = db
    .prepare(`SELECT model_spec AS "modelSpec", kind, SUM(attempts) AS calls, SUM(output_tokens) AS "outputTokens",
        SUM(latency_ms) AS "latencyMs"
      FROM generation_tasks WHERE status = 'success' GROUP BY model_spec, kind`)
    .all() as ObservedGenerationCalls[];
  return rows.map(numeric);
}

/** PostgreSQL returns SUM/COUNT as strings (bigint/numeric); both backends' rows become numbers. */
function numeric<T extends { calls: number; outputTokens: number; latencyMs: number }>(row: T): T {
  return {
    ...row,
    calls: Number(row.calls),
    outputTokens: Number(row.outputTokens ?? 0),
    latencyMs: Number(row.latencyMs ?? 0),
  };
}
