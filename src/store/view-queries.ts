/**
 * What the viewer (`medsafety view`) reads from the store besides the report: turn counts, one item with its JSON and
 * twins, one conversation's turns and verdicts, per-turn aggregates for the conversations table (covering indexes
 * only), item labels and the values of the filter menus. Turn means computed here in SQL (`AVG(score)` of the
 * verdicts, a score being stored only on scored ones) follow analysis `turnScore`.
 */
import type { Db } from "./database.js";
import { sqlFor } from "./sql-dialect.js";

/** Turns stored for a run (one count over turns_by_run). */
export function runTurnCount(db: Db, runId: string): number {
  return db.prepare("SELECT COUNT(*) FROM turns WHERE run_id = ?").pluck().get(runId) as number;
}

/** One run item as the viewer shows it, with its stored JSON. */
export interface RunItemFacts {
  readonly itemId: string;
  readonly language: string;
  readonly pairId: string | null;
  readonly guidelineId: string;
  readonly strategy: string;
  readonly turnCount: number;
  readonly json: string;
}

export function runItemFacts(db: Db, runId: string, itemId: string): RunItemFacts | undefined {
  return db
    .prepare(
      `SELECT ri.item_id AS "itemId", ri.language, ri.pair_id AS "pairId", ri.guideline_id AS "guidelineId", ri.strategy, ri.turn_count AS "turnCount",
       i.item_json AS json
     FROM run_items ri JOIN items i ON i.version = ri.item_version WHERE ri.run_id = ? AND ri.item_id = ?`,
    )
    .get(runId, itemId) as RunItemFacts | undefined;
}

/** The other items of a pair (the ja/en twins), by language then id. */
export function pairItemIds(db: Db, runId: string, pairId: string, exceptItemId: string): string[] {
  return db
    .prepare(
      "SELECT item_id FROM run_items WHERE run_id = ? AND pair_id = ? AND item_id <> ? ORDER BY language, item_id",
    )
    .pluck()
    .all(runId, pairId, exceptItemId) as string[];
}

/** What one stored call cost: its tokens (prompt-cache reads and writes apart), batch flag and USD (null: unpriced). */
export interface CallCostColumns {
  readonly inputTokens: number;
  readonly cachedInputTokens: number;
  readonly cacheWriteTokens: number;
  readonly outputTokens: number;
  readonly batched: boolean;
  readonly costUsd: number | null;
}

/** The CallCostColumns of a turns or judgments row (`batched` read as 0/1, turned into a boolean by callCostOf). */
const CALL_COST_COLUMNS = `input_tokens AS "inputTokens", cached_input_tokens AS "cachedInputTokens",
       cache_write_tokens AS "cacheWriteTokens", output_tokens AS "outputTokens", batched, cost_usd AS "costUsd"`;

/** A row with its `batched` flag as a boolean. */
function withBatchedFlag<T extends { readonly batched: unknown }>(row: T): T & { readonly batched: boolean } {
  return { ...row, batched: row.batched === 1 || row.batched === true };
}

/** One stored turn of a conversation, as the conversation page shows it. */
export interface ConversationTurnRow extends CallCostColumns {
  readonly turnIndex: number;
  readonly status: "success" | "error";
  readonly userMessage: string;
  readonly responseText: string | null;
  readonly errorCode: string | null;
  readonly errorStatus: number | null;
  readonly errorMessage: string | null;
}

/** One verdict on a conversation's turn. */
export interface ConversationJudgmentRow extends CallCostColumns {
  readonly turnIndex: number;
  readonly judgeId: string;
  readonly status: "scored" | "unscored" | "error";
  readonly score: number | null;
  readonly rationale: string | null;
  readonly unscoredReason: string | null;
  readonly errorMessage: string | null;
  readonly rubricId: string;
}

/** One epoch's turns of one conversation (default the first), in turn order. */
export function conversationTurns(
  db: Db,
  runId: string,
  targetId: string,
  itemId: string,
  epoch = 0,
): ConversationTurnRow[] {
  return db
    .prepare(
      `SELECT turn_index AS "turnIndex", status, user_message AS "userMessage", response_text AS "responseText", error_code AS "errorCode",
       error_status AS "errorStatus", error_message AS "errorMessage", ${CALL_COST_COLUMNS}
     FROM turns WHERE run_id = ? AND target_id = ? AND item_id = ? AND epoch = ? ORDER BY turn_index`,
    )
    .all(runId, targetId, itemId, epoch)
    .map((row) => withBatchedFlag(row as ConversationTurnRow));
}

/**
 * Every verdict on the turns of one epoch of a conversation (default the first), by turn then judge (then key: one
 * order on every backend). Judgments carry no epoch: they are those of the epoch's turn keys.
 */
export function conversationJudgments(
  db: Db,
  runId: string,
  targetId: string,
  itemId: string,
  epoch = 0,
): ConversationJudgmentRow[] {
  return db
    .prepare(
      `SELECT turn_index AS "turnIndex", judge_id AS "judgeId", status, score, rationale, unscored_reason AS "unscoredReason",
       error_message AS "errorMessage", rubric_id AS "rubricId", ${CALL_COST_COLUMNS}
     FROM judgments WHERE run_id = ? AND target_id = ? AND item_id = ?
       AND turn_key IN (SELECT key FROM turns WHERE run_id = ? AND target_id = ? AND item_id = ? AND epoch = ?)
     ORDER BY turn_index, judge_id, key`,
    )
    .all(runId, targetId, itemId, runId, targetId, itemId, epoch)
    .map((row) => withBatchedFlag(row as ConversationJudgmentRow));
}

/** The epochs after the first that one conversation has stored turns of (repeated sampling, decision 0030), in order. */
export function laterEpochs(db: Db, runId: string, targetId: string, itemId: string): number[] {
  return (
    db
      .prepare(
        "SELECT DISTINCT epoch FROM turns WHERE run_id = ? AND target_id = ? AND item_id = ? AND epoch > 0 ORDER BY epoch",
      )
      .all(runId, targetId, itemId) as Array<{ epoch: number }>
  ).map((row) => Number(row.epoch));
}

/** One turn of a conversation in the table: status, scored verdicts, their mean and spread (max − min). */
export interface TurnAggregateRow {
  readonly turnIndex: number;
  readonly status: "success" | "error";
  readonly scored: number;
  readonly mean: number | null;
  readonly spread: number | null;
}

/**
 * Per-turn status, mean and judge spread of one conversation on some rubrics (covering indexes only). A turn stored in
 * several epochs comes once per epoch, in SQLite's turns_report order (status, usage and cost, key), on PostgreSQL too.
 */
export function turnAggregates(
  db: Db,
  runId: string,
  rubrics: readonly string[],
  targetId: string,
  itemId: string,
): TurnAggregateRow[] {
  return db
    .prepare(
      sqlFor(db, {
        sqlite: `SELECT t.turn_index AS "turnIndex", t.status, COALESCE(s.scored, 0) AS scored, s.mean, s.spread
     FROM turns t INDEXED BY turns_report
     LEFT JOIN (
       SELECT j.turn_index, COUNT(j.score) AS scored, AVG(j.score) AS mean, MAX(j.score) - MIN(j.score) AS spread
       FROM json_each(@rubrics) AS rubric CROSS JOIN judgments j INDEXED BY judgments_report
         ON j.run_id = @run AND j.rubric_id = rubric.value AND j.target_id = @target AND j.item_id = @item
       GROUP BY j.turn_index
     ) s ON s.turn_index = t.turn_index
     WHERE t.run_id = @run AND t.target_id = @target AND t.item_id = @item ORDER BY t.turn_index`,
        postgres: `SELECT t.turn_index AS "turnIndex", t.status, COALESCE(s.scored, 0) AS scored, s.mean, s.spread
     FROM turns t
     LEFT JOIN (
       SELECT j.turn_index, COUNT(j.score) AS scored, AVG(j.score) AS mean, MAX(j.score) - MIN(j.score) AS spread
       FROM jsonb_array_elements_text(@rubrics::jsonb) AS rubric (value) CROSS JOIN judgments j
       WHERE j.run_id = @run AND j.rubric_id = rubric.value AND j.target_id = @target AND j.item_id = @item
       GROUP BY j.turn_index
     ) s ON s.turn_index = t.turn_index
     WHERE t.run_id = @run AND t.target_id = @target AND t.item_id = @item
     ORDER BY t.turn_index, t.status, t.cached, t.input_tokens, t.output_tokens, t.cached_input_tokens,
       t.cache_write_tokens, t.batched, t.cost_usd NULLS FIRST, t.key`,
      }),
    )
    .all({ run: runId, target: targetId, item: itemId, rubrics: JSON.stringify(rubrics) }) as TurnAggregateRow[];
}

/** Language, strategy, guideline and planned turns of one run item. */
export interface RunItemLabels {
  readonly itemId: string;
  readonly language: string;
  readonly strategy: string;
  readonly guidelineId: string;
  readonly turnCount: number;
}

/** The labels of some items of a run (each looked up by run_items_item; unknown ids are absent). */
export function runItemLabels(db: Db, runId: string, itemIds: readonly string[]): RunItemLabels[] {
  return db
    .prepare(
      sqlFor(db, {
        sqlite: `SELECT ri.item_id AS "itemId", ri.language, ri.strategy, ri.guideline_id AS "guidelineId", ri.turn_count AS "turnCount"
     FROM json_each(?) AS wanted CROSS JOIN run_items ri INDEXED BY run_items_item ON ri.run_id = ? AND ri.item_id = wanted.value`,
        postgres: `SELECT ri.item_id AS "itemId", ri.language, ri.strategy, ri.guideline_id AS "guidelineId", ri.turn_count AS "turnCount"
     FROM jsonb_array_elements_text(?::jsonb) WITH ORDINALITY AS wanted (value, position)
     JOIN run_items ri ON ri.run_id = ? AND ri.item_id = wanted.value ORDER BY wanted.position`,
      }),
    )
    .all(JSON.stringify([...new Set(itemIds)]), runId) as RunItemLabels[];
}

/** The item columns the viewer filters by. */
export type RunItemColumn = "strategy" | "guideline_id" | "language";

const ITEM_COLUMNS: ReadonlySet<string> = new Set<RunItemColumn>(["strategy", "guideline_id", "language"]);

/** Distinct values of an item column of a run, in order (for the filter menus). */
export function distinctItemValues(db: Db, runId: string, column: RunItemColumn): string[] {
  if (!ITEM_COLUMNS.has(column)) throw new RangeError(`distinctItemValues: unknown column "${column}"`);
  return db
    .prepare(`SELECT DISTINCT ${column} FROM run_items WHERE run_id = ? ORDER BY ${column}`)
    .pluck()
    .all(runId) as string[];
}
