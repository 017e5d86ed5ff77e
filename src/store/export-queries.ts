import type { JudgmentDetails } from "./result-rows.js";
import type { Db } from "./sql-database.js";
import { sqlFor } from "./sql-dialect.js";
import { parseStoredJson } from "./stored-json.js";

/**
 * The read model of `medsafety export results`: a run's items (their provenance, without their turns), the shape of
 * its verdicts (which judges, rubrics and sub-scores occur, so a flat file knows its columns before its first row),
 * and every stored turn with all its verdicts, streamed in key order (target, item, epoch, turn; verdicts by judge)
 * through `iterate` (better-sqlite3's iterator; on PostgreSQL a server-side cursor read in batches), so a run of
 * millions of turns is never held in memory.
 */

/** What an item says about where it comes from: every stored field but its user turns. */
export interface ExportItemRow {
  readonly itemId: string;
  readonly itemVersion: string;
  /** Position in the run's dataset (0-based). */
  readonly seq: number;
  readonly language: string;
  readonly pairId: string | null;
  readonly guidelineId: string;
  readonly strategy: string;
  readonly turnCount: number;
  /** The item's own `rubric` (null: the default rubric). */
  readonly rubric: string | null;
  readonly seedRequest: string | null;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** One judge's verdict on one turn, as stored (`details` parsed). */
export interface ExportVerdictRow {
  readonly judgeId: string;
  readonly rubricId: string;
  readonly rubricVersion: string;
  readonly status: "scored" | "unscored" | "error";
  readonly score: number | null;
  readonly label: string | null;
  readonly rationale: string | null;
  readonly unscoredReason: string | null;
  readonly errorStatus: number | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly details: JudgmentDetails | null;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedInputTokens: number;
  readonly cacheWriteTokens: number;
  /** USD at the binding's price when the call was made; null: unpriced. */
  readonly costUsd: number | null;
  readonly latencyMs: number;
  readonly cached: boolean;
  readonly batched: boolean;
  readonly attempts: number;
}

/** One stored turn (0-based `turnIndex` and `epoch`, as stored) with every verdict on it, by judge id. */
export interface ExportTurnRow {
  readonly targetId: string;
  readonly itemId: string;
  readonly epoch: number;
  readonly turnIndex: number;
  readonly status: "success" | "error";
  readonly userMessage: string;
  readonly responseText: string | null;
  readonly finishReason: string | null;
  readonly errorStatus: number | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedInputTokens: number;
  readonly cacheWriteTokens: number;
  readonly costUsd: number | null;
  readonly latencyMs: number;
  readonly cached: boolean;
  readonly batched: boolean;
  readonly attempts: number;
  readonly verdicts: readonly ExportVerdictRow[];
}

/** Which judges, rubrics and sub-scores a run's verdicts hold. */
export interface ExportShape {
  /** Judge ids with at least one verdict, sorted. */
  readonly judges: readonly string[];
  /** Rubric ids with at least one verdict, sorted. */
  readonly rubrics: readonly string[];
  /** Per judge id: the names of the sub-scores its verdicts carry, sorted (judges without any: absent). */
  readonly subScores: Readonly<Record<string, readonly string[]>>;
}

const ITEMS_SQL = `SELECT ri.item_id, ri.item_version, ri.seq, ri.language, ri.pair_id, ri.guideline_id, ri.strategy,
       ri.turn_count, i.item_json
     FROM run_items ri JOIN items i ON i.version = ri.item_version WHERE ri.run_id = ? ORDER BY ri.seq`;

type ItemTuple = [string, string, number, string, string | null, string, string, number, string];

interface StoredItemDocument {
  readonly rubric?: unknown;
  readonly seedRequest?: unknown;
  readonly metadata?: unknown;
}

/** A run's items in dataset order, streamed; each item's JSON is parsed and its turns dropped. */
export function* exportItemRows(db: Db, runId: string): Generator<ExportItemRow> {
  const rows = db.prepare(ITEMS_SQL).raw(true).iterate(runId) as Iterable<ItemTuple>;
  for (const [itemId, itemVersion, seq, language, pairId, guidelineId, strategy, turnCount, json] of rows) {
    const document = parseStoredJson<StoredItemDocument>(json, "items.item_json");
    const metadata = document.metadata;
    yield {
      itemId,
      itemVersion,
      seq,
      language,
      pairId,
      guidelineId,
      strategy,
      turnCount,
      rubric: typeof document.rubric === "string" ? document.rubric : null,
      seedRequest: typeof document.seedRequest === "string" ? document.seedRequest : null,
      metadata:
        typeof metadata === "object" && metadata !== null && !Array.isArray(metadata)
          ? (metadata as Record<string, unknown>)
          : {},
    };
  }
}

/** The judges, rubrics and sub-score names of a run's verdicts (two passes over its judgments, no row kept). */
export function exportShape(db: Db, runId: string): ExportShape {
  const pairs = db
    .prepare("SELECT DISTINCT judge_id, rubric_id FROM judgments WHERE run_id = ?")
    .raw(true)
    .all(runId) as Array<[string, string]>;
  const subScoreRows = db
    .prepare(
      sqlFor(db, {
        sqlite: `SELECT DISTINCT j.judge_id, s.key FROM judgments j, json_each(j.details, '$.subScores') s
     WHERE j.run_id = ? AND j.details IS NOT NULL AND json_type(j.details, '$.subScores') = 'object'`,
        postgres: `SELECT DISTINCT j.judge_id, s.key FROM judgments j
     CROSS JOIN LATERAL jsonb_object_keys(CASE WHEN jsonb_typeof(j.details::jsonb -> 'subScores') = 'object'
       THEN j.details::jsonb -> 'subScores' ELSE '{}'::jsonb END) AS s(key)
     WHERE j.run_id = ? AND j.details IS NOT NULL`,
      }),
    )
    .raw(true)
    .all(runId) as Array<[string, string]>;
  const byJudge = new Map<string, string[]>();
  for (const [judgeId, name] of subScoreRows) byJudge.set(judgeId, [...(byJudge.get(judgeId) ?? []), name]);
  const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort(compareText);
  return {
    judges: sorted(pairs.map(([judgeId]) => judgeId)),
    rubrics: sorted(pairs.map(([, rubricId]) => rubricId)),
    subScores: Object.fromEntries([...byJudge].map(([judgeId, names]) => [judgeId, sorted(names)])),
  };
}

/** Byte order (as the store's ORDER BY: SQLite BINARY, PostgreSQL COLLATE "C"), not the locale's. */
function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

const TURN_COLUMNS = `t.key, t.target_id, t.item_id, t.epoch, t.turn_index, t.status, t.user_message, t.response_text,
       t.finish_reason, t.error_status, t.error_code, t.error_message, t.input_tokens, t.output_tokens,
       t.cached_input_tokens, t.cache_write_tokens, t.cost_usd, t.latency_ms, t.cached, t.batched, t.attempts`;
const TURN_WIDTH = 21;

const JUDGMENT_COLUMNS = `j.judge_id, j.rubric_id, j.rubric_version, j.status, j.score, j.label, j.rationale,
       j.unscored_reason, j.error_status, j.error_code, j.error_message, j.details, j.input_tokens, j.output_tokens,
       j.cached_input_tokens, j.cache_write_tokens, j.cost_usd, j.latency_ms, j.cached, j.batched, j.attempts`;

/**
 * Turns LEFT JOIN their judgments, in key order. SQLite walks `turns_by_run` (target, item, turn) and sorts only
 * within an item for the epoch; each turn's judgments come from `judgments_by_turn`.
 */
const ROWS_SQL = `SELECT ${TURN_COLUMNS}, ${JUDGMENT_COLUMNS}
     FROM turns t LEFT JOIN judgments j ON j.turn_key = t.key
     WHERE t.run_id = ? ORDER BY t.target_id, t.item_id, t.epoch, t.turn_index, j.judge_id`;

/**
 * Every stored turn of a run with its verdicts, in key order (target, item, epoch, turn; verdicts by judge id),
 * streamed: one joined row per verdict is read and a turn is yielded once its last verdict is in, so memory holds one
 * turn. The connection is busy until the iteration ends (SQLite) or the cursor is closed (PostgreSQL).
 */
export function* exportTurnRows(db: Db, runId: string): Generator<ExportTurnRow> {
  const rows = db.prepare(ROWS_SQL).raw(true).iterate(runId) as Iterable<unknown[]>;
  let key: unknown;
  let current: { turn: Omit<ExportTurnRow, "verdicts">; verdicts: ExportVerdictRow[] } | undefined;
  for (const row of rows) {
    if (current === undefined || row[0] !== key) {
      if (current !== undefined) yield { ...current.turn, verdicts: current.verdicts };
      key = row[0];
      current = { turn: turnOf(row), verdicts: [] };
    }
    if (row[TURN_WIDTH] !== null) current.verdicts.push(verdictOf(row, TURN_WIDTH));
  }
  if (current !== undefined) yield { ...current.turn, verdicts: current.verdicts };
}

function turnOf(row: readonly unknown[]): Omit<ExportTurnRow, "verdicts"> {
  return {
    targetId: row[1] as string,
    itemId: row[2] as string,
    epoch: Number(row[3]),
    turnIndex: Number(row[4]),
    status: row[5] as "success" | "error",
    userMessage: row[6] as string,
    responseText: row[7] as string | null,
    finishReason: row[8] as string | null,
    errorStatus: nullableNumber(row[9]),
    errorCode: row[10] as string | null,
    errorMessage: row[11] as string | null,
    inputTokens: Number(row[12]),
    outputTokens: Number(row[13]),
    cachedInputTokens: Number(row[14]),
    cacheWriteTokens: Number(row[15]),
    costUsd: nullableNumber(row[16]),
    latencyMs: Number(row[17]),
    cached: Number(row[18]) !== 0,
    batched: Number(row[19]) !== 0,
    attempts: Number(row[20]),
  };
}

function verdictOf(row: readonly unknown[], at: number): ExportVerdictRow {
  const details = row[at + 11] as string | null;
  return {
    judgeId: row[at] as string,
    rubricId: row[at + 1] as string,
    rubricVersion: row[at + 2] as string,
    status: row[at + 3] as ExportVerdictRow["status"],
    score: nullableNumber(row[at + 4]),
    label: row[at + 5] as string | null,
    rationale: row[at + 6] as string | null,
    unscoredReason: row[at + 7] as string | null,
    errorStatus: nullableNumber(row[at + 8]),
    errorCode: row[at + 9] as string | null,
    errorMessage: row[at + 10] as string | null,
    details: details === null ? null : parseStoredJson<JudgmentDetails>(details, "judgments.details"),
    inputTokens: Number(row[at + 12]),
    outputTokens: Number(row[at + 13]),
    cachedInputTokens: Number(row[at + 14]),
    cacheWriteTokens: Number(row[at + 15]),
    costUsd: nullableNumber(row[at + 16]),
    latencyMs: Number(row[at + 17]),
    cached: Number(row[at + 18]) !== 0,
    batched: Number(row[at + 19]) !== 0,
    attempts: Number(row[at + 20]),
  };
}

function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
