import type { Db } from "./database.js";
import { sqlFor } from "./sql-dialect.js";

/** The role of a model in a run. */
export type CallRole = "target" | "judge" | "attacker";

/**
 * Stored calls of one model of a run with one outcome: `ok` (a turn answered, a verdict scored), `error` (a failed
 * call, with its code and HTTP status) or `unscored` (a judge's answer that is not a verdict, with its reason).
 */
export interface CallOutcomeCount {
  readonly role: CallRole;
  readonly modelId: string;
  readonly outcome: "ok" | "error" | "unscored";
  /** Error code (`provider_http`, …) or unscored reason (`no_json`, …); empty for `ok`. */
  readonly code: string;
  readonly httpStatus: number | null;
  readonly calls: number;
}

/**
 * Every stored call of a run counted by model, outcome and code, read in three grouped scans (turns, judgments,
 * and the attacker's calls of adaptive runs). What a run's end-of-run summary and health check read.
 */
export function callOutcomes(db: Db, runId: string): CallOutcomeCount[] {
  const colon = sqlFor(db, { sqlite: "instr", postgres: "strpos" });
  const turns = db
    .prepare(`SELECT 'target' AS role, target_id AS "modelId",
        CASE status WHEN 'error' THEN 'error' ELSE 'ok' END AS outcome, COALESCE(error_code, '') AS code,
        error_status AS "httpStatus", COUNT(*) AS calls
      FROM turns WHERE run_id = ? GROUP BY target_id, outcome, code, error_status`)
    .all(runId) as CallOutcomeCount[];
  const judgments = db
    .prepare(`SELECT 'judge' AS role, judge_id AS "modelId",
        CASE status WHEN 'scored' THEN 'ok' ELSE status END AS outcome,
        CASE status
          WHEN 'error' THEN COALESCE(error_code, '')
          WHEN 'unscored' THEN CASE WHEN ${colon}(COALESCE(unscored_reason, ''), ':') > 0
            THEN substr(unscored_reason, 1, ${colon}(unscored_reason, ':') - 1) ELSE COALESCE(unscored_reason, '') END
          ELSE '' END AS code,
        error_status AS "httpStatus", COUNT(*) AS calls
      FROM judgments WHERE run_id = ? GROUP BY judge_id, outcome, code, error_status`)
    .all(runId) as CallOutcomeCount[];
  // The attacker's calls are counted per conversation; a conversation that stopped on an attacker failure holds one.
  const attacker = db
    .prepare(`SELECT 'attacker' AS role, attacker_id AS "modelId", outcome, code, "httpStatus", SUM(calls) AS calls FROM (
        SELECT attacker_id, 'error' AS outcome, COALESCE(error_code, stop_reason) AS code, error_status AS "httpStatus", COUNT(*) AS calls
          FROM conversations WHERE run_id = ? AND attacker_id IS NOT NULL AND stop_reason IN ('attacker-error', 'attacker-invalid')
          GROUP BY attacker_id, code, error_status
        UNION ALL
        SELECT attacker_id, 'ok', '', NULL, SUM(attacker_calls) - SUM(CASE WHEN stop_reason IN ('attacker-error', 'attacker-invalid') THEN 1 ELSE 0 END)
          FROM conversations WHERE run_id = ? AND attacker_id IS NOT NULL GROUP BY attacker_id
      ) AS calls_by_outcome GROUP BY attacker_id, outcome, code, "httpStatus" HAVING SUM(calls) > 0`)
    .all(runId, runId) as CallOutcomeCount[];
  return [...turns, ...judgments, ...attacker];
}
