/**
 * The report's read models: every query a run's report makes, returning typed rows or, for the multi-turn rubric,
 * the encoded one-row-per-target form of decision 0006 (SQLite does the scan, JavaScript gets one row). The report
 * builders (report/) keep the aggregation and statistics; this file owns only the SQL and its iteration. Turn
 * scores computed here in SQL (`AVG(CASE WHEN status = 'scored' THEN score END)`) follow the definition of
 * analysis/safety-metrics.ts (`turnScore`): the mean of the judges' valid scores, null when none is valid.
 */
import type { Db } from "./database.js";
import { sqlFor } from "./sql-dialect.js";
import { parseStoredJson } from "./stored-json.js";

/**
 * PostgreSQL: the value at `path` (e.g. `{metadata,attacker}`) of an item's JSON as SQLite's `json_extract` returns
 * it, in a `json` column the connection parses: a string as the string, a number as the number, true/false as 1/0,
 * an object or array as its JSON text, a JSON null or a missing key as NULL. The item's JSON is parsed once per row
 * (`parsed.document`, jsonb: see ITEM_DOCUMENT); an object or array is cut from the stored text instead (json keeps
 * its keys' order and spacing, and the stored text is `JSON.stringify`'s, as compact as SQLite renders it).
 */
function jsonExtract(path: string): string {
  const value = `parsed.document #> '${path}'`;
  const text = `to_json((i.item_json::json #> '${path}')::text)`;
  return `CASE jsonb_typeof(${value}) WHEN 'null' THEN NULL WHEN 'boolean' THEN to_json((${value})::boolean::int)
       WHEN 'object' THEN ${text} WHEN 'array' THEN ${text} ELSE (${value})::json END`;
}

/** PostgreSQL: `parsed.document`, the item's JSON (`i.item_json`) parsed once per row (OFFSET 0 keeps it one). */
const ITEM_DOCUMENT = "CROSS JOIN LATERAL (SELECT i.item_json::jsonb AS document OFFSET 0) AS parsed";

/** Calls, cached calls and tokens of one slice of a run (a target's turns, or judgments). */
export interface UsageSums {
  readonly calls: number;
  readonly cached: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/**
 * Money and tokens of a set of stored calls (a target's turns, a judge's judgments, an attacker's calls). `costUsd`
 * sums the priced calls only; a call whose `cost_usd` is NULL (no price, or stored before prices existed) is counted
 * in `unpricedCalls` and never as 0.
 */
export interface CostSums {
  readonly calls: number;
  readonly unpricedCalls: number;
  readonly costUsd: number;
  readonly inputTokens: number;
  readonly cachedInputTokens: number;
  readonly cacheWriteTokens: number;
  readonly outputTokens: number;
  readonly batchedCalls: number;
}

/**
 * The eight sums of CostSums (calls, unpriced calls, USD, input, cached-input, cache-write and output tokens, batched
 * calls) as SQL both dialects accept, over the rows `filter` keeps (e.g. ` FILTER (WHERE judge_id = ?)`: one
 * placeholder for each of its COST_SUM_FILTERS uses).
 */
function costSumsSql(filter = ""): string {
  const sum = (column: string): string => `COALESCE(SUM(${column})${filter}, 0)`;
  return [
    `COUNT(*)${filter}`,
    `COUNT(*)${filter} - COUNT(cost_usd)${filter}`,
    ...["cost_usd", "input_tokens", "cached_input_tokens", "cache_write_tokens", "output_tokens", "batched"].map(sum),
  ].join(", ");
}

/** How many times costSumsSql repeats its filter. */
const COST_SUM_FILTERS = 9;

/** CostSums from the eight values costSumsSql selects. */
function costSumsOf(values: readonly number[]): CostSums {
  const [calls, unpricedCalls, costUsd, inputTokens, cachedInputTokens, cacheWriteTokens, outputTokens, batchedCalls] =
    values as [number, number, number, number, number, number, number, number];
  return {
    calls,
    unpricedCalls,
    costUsd,
    inputTokens,
    cachedInputTokens,
    cacheWriteTokens,
    outputTokens,
    batchedCalls,
  };
}

/** One run item of a rubric, with the item metadata a report groups by (attacker and section: raw JSON values). */
export interface ReportItemRow {
  readonly itemId: string;
  readonly language: string;
  readonly pairId: string | null;
  readonly guideline: string;
  readonly strategy: string;
  readonly turnCount: number;
  readonly attacker: unknown;
  readonly section: unknown;
}

/**
 * The run's items judged with `rubricId` (in run order). An item without its own rubric counts as `rubricId` when
 * `rubricId` is the default rubric: pass the default rubric's id as `defaultRubric`.
 */
export function reportItemRows(db: Db, runId: string, rubricId: string, defaultRubric: string): ReportItemRow[] {
  return db
    .prepare(
      sqlFor(db, {
        sqlite: `SELECT ri.item_id AS "itemId", ri.language, ri.pair_id AS "pairId", ri.guideline_id AS guideline, ri.strategy, ri.turn_count AS "turnCount",
       json_extract(i.item_json, '$.metadata.attacker') AS attacker,
       COALESCE(json_extract(i.item_json, '$.metadata.guidelineSection'), json_extract(i.item_json, '$.metadata.section')) AS section
     FROM run_items ri JOIN items i ON i.version = ri.item_version
     WHERE ri.run_id = @run AND COALESCE(json_extract(i.item_json, '$.rubric'), @default) = @rubric
     ORDER BY ri.seq`,
        postgres: `SELECT ri.item_id AS "itemId", ri.language, ri.pair_id AS "pairId", ri.guideline_id AS guideline, ri.strategy, ri.turn_count AS "turnCount",
       ${jsonExtract("{metadata,attacker}")} AS attacker,
       COALESCE(${jsonExtract("{metadata,guidelineSection}")}, ${jsonExtract("{metadata,section}")}) AS section
     FROM run_items ri JOIN items i ON i.version = ri.item_version ${ITEM_DOCUMENT}
     WHERE ri.run_id = @run AND COALESCE(parsed.document ->> 'rubric', @default) = @rubric
     ORDER BY ri.seq`,
      }),
    )
    .all({ run: runId, rubric: rubricId, default: defaultRubric }) as ReportItemRow[];
}

/**
 * How `targetJudgments` encodes one judgment: turn × JUDGMENT_CODE.turn + (judge position + 1) × 4 + status code
 * (judge position −1, i.e. 0 in the code: a judge not in the list asked for), plus, when asked for with `epochs`, the
 * turn's epoch × JUDGMENT_CODE.epoch (repeated sampling, decision 0030: epochs ≤ 100, so the code stays below 2³¹).
 */
export const JUDGMENT_CODE = { turn: 4096, epoch: 4096 * 4096, scored: 0, unscored: 1, error: 2 } as const;

/** One target's judgments on one rubric as one encoded row (decision 0006), with their usage. */
export interface EncodedJudgments {
  /** Item id of each judgment. */
  readonly itemIds: readonly string[];
  /** Turn, judge position and status of each judgment (see JUDGMENT_CODE). */
  readonly codes: readonly number[];
  /** Score of each judgment (null unless scored). */
  readonly scores: ReadonlyArray<number | null>;
  /** USD of each judgment (null: unpriced). */
  readonly costs: ReadonlyArray<number | null>;
  readonly usage: UsageSums;
  /** Per judge asked for (in that order): the money and tokens of its judgments of this target on this rubric. */
  readonly judgeCosts: readonly CostSums[];
}

/**
 * Every judgment of one target on one rubric, in one row: SQLite encodes each judgment's turn, judge and status as
 * one integer (`group_concat`) and collects item ids and scores as JSON arrays, which one `JSON.parse` each turns
 * into arrays (a quarter of a second for 320,000 judgments, where row-by-row reading takes over a second). The same
 * pass sums the judgments' usage.
 */
export function targetJudgments(
  db: Db,
  runId: string,
  rubricId: string,
  targetId: string,
  judges: readonly string[],
  /**
   * Add each judgment's epoch to its code (a target with `epochs` > 1, decision 0030). Judgments do not store the
   * epoch: it is read from the judged turn by its primary key, one index lookup per judgment, so only for such targets.
   */
  options: { readonly epochs?: boolean } = {},
): EncodedJudgments {
  const epochCode =
    options.epochs === true
      ? ` + (SELECT t.epoch FROM turns t WHERE t.key = judgments.turn_key) * ${JUDGMENT_CODE.epoch}`
      : "";
  const judgeCode =
    judges.length === 0
      ? "0"
      : `CASE judge_id ${judges.map((_, position) => `WHEN ? THEN ${position + 1}`).join(" ")} ELSE 0 END`;
  const status = `CASE status WHEN 'scored' THEN ${JUDGMENT_CODE.scored} WHEN 'unscored' THEN ${JUDGMENT_CODE.unscored} ELSE ${JUDGMENT_CODE.error} END`;
  // Per judge, the sums of CostSums over its judgments, in the same pass.
  const perJudge = judges.map(() => `,\n       ${costSumsSql(" FILTER (WHERE judge_id = ?)")}`).join("");
  const judgeParameters = judges.flatMap((judgeId) => Array.from({ length: COST_SUM_FILTERS }, () => judgeId));
  // PostgreSQL: the aggregates of one pass see the rows in one order, so the four arrays stay aligned; that order is
  // SQLite's (its judgments_report index keys every column read here, migration 12), so the arrays are the same on
  // both backends.
  const row = db
    .prepare(
      sqlFor(db, {
        sqlite: `SELECT json_group_array(item_id), '[' || group_concat(turn_index * ${JUDGMENT_CODE.turn} + (${judgeCode}) * 4 + (${status})${epochCode}) || ']',
       json_group_array(score), json_group_array(cost_usd), COUNT(*), COALESCE(SUM(cached), 0), COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0)${perJudge}
     FROM judgments WHERE run_id = ? AND rubric_id = ? AND target_id = ?`,
        postgres: `SELECT COALESCE(json_agg(item_id)::text, '[]'),
       '[' || string_agg((turn_index * ${JUDGMENT_CODE.turn} + (${judgeCode}) * 4 + (${status}) + epoch * ${JUDGMENT_CODE.epoch})::text, ',') || ']',
       COALESCE(json_agg(score)::text, '[]'), COALESCE(json_agg(cost_usd)::text, '[]'),
       COUNT(*), COALESCE(SUM(cached), 0), COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0)${perJudge}
     FROM (SELECT item_id, turn_index, judge_id, status, score, cached, input_tokens, output_tokens,
         cost_usd, cached_input_tokens, cache_write_tokens, batched,
         ${options.epochs === true ? "(SELECT t.epoch FROM turns t WHERE t.key = judgments.turn_key)" : "0"} AS epoch FROM judgments
       WHERE run_id = ? AND rubric_id = ? AND target_id = ?
       ORDER BY item_id, turn_index, judge_id, status, score NULLS FIRST, cached, input_tokens, output_tokens,
         cached_input_tokens, cache_write_tokens, batched, cost_usd NULLS FIRST) AS judgments`,
      }),
    )
    .raw(true)
    .get(...judges, ...judgeParameters, runId, rubricId, targetId) as [
    string,
    string | null,
    string,
    string,
    number,
    number,
    number,
    number,
    ...number[],
  ];
  const [itemIds, codes, scores, costs, calls, cached, inputTokens, outputTokens, ...sums] = row;
  return {
    itemIds: parseStoredJson<string[]>(itemIds, "the report's item ids"),
    codes: codes === null ? [] : parseStoredJson<number[]>(codes, "the report's judgment codes"),
    scores: parseStoredJson<Array<number | null>>(scores, "judgments.score"),
    costs: parseStoredJson<Array<number | null>>(costs, "judgments.cost_usd"),
    usage: { calls, cached, inputTokens, outputTokens },
    judgeCosts: judges.map((_, position) => costSumsOf(sums.slice(position * 8, position * 8 + 8))),
  };
}

/** One target's stored turns in one aggregate row: their usage, how many were answered, and where they failed. */
export interface TargetTurnSummary {
  readonly usage: UsageSums;
  /** Money and tokens of every stored turn of the target. */
  readonly costs: CostSums;
  /** Turns stored with status `success`. */
  readonly answered: number;
  /** Item id and turn index of each failed turn (`failedItems[i]` at turn `failedTurns[i]`). */
  readonly failedItems: readonly string[];
  readonly failedTurns: readonly number[];
  /** Per item with a stored turn (item id order): the USD of its priced turns, its turns and its unpriced turns. */
  readonly conversations: ConversationCostColumns;
}

/** Per conversation (item) of one target: `costUsd[i]` is item `itemIds[i]`'s USD of priced calls, and so on. */
export interface ConversationCostColumns {
  readonly itemIds: readonly string[];
  readonly costUsd: readonly number[];
  readonly calls: readonly number[];
  readonly unpricedCalls: readonly number[];
}

/**
 * One pass over a target's turns (grouped by item along the turns_report index, then summed): the usage and cost
 * sums, the answered count, the failed turns and each item's turn cost (JSON arrays).
 */
export function targetTurnSummary(db: Db, runId: string, targetId: string): TargetTurnSummary {
  const perItem = `item_id, COUNT(*) AS calls, COUNT(*) - COUNT(cost_usd) AS unpriced, COALESCE(SUM(cost_usd), 0) AS cost,
         SUM(cached) AS cached, SUM(input_tokens) AS input, SUM(cached_input_tokens) AS cached_input,
         SUM(cache_write_tokens) AS cache_write, SUM(output_tokens) AS output, SUM(batched) AS batched,
         COUNT(*) FILTER (WHERE status = 'success') AS answered`;
  const sums = `COALESCE(SUM(calls), 0), COALESCE(SUM(cached), 0), COALESCE(SUM(input), 0), COALESCE(SUM(output), 0),
       COALESCE(SUM(answered), 0), COALESCE(SUM(unpriced), 0), COALESCE(SUM(cost), 0), COALESCE(SUM(cached_input), 0),
       COALESCE(SUM(cache_write), 0), COALESCE(SUM(batched), 0)`;
  const row = db
    .prepare(
      sqlFor(db, {
        sqlite: `SELECT ${sums},
       json_group_array(item_id) FILTER (WHERE failed IS NOT NULL), json_group_array(json(failed)) FILTER (WHERE failed IS NOT NULL),
       json_group_array(item_id), json_group_array(cost), json_group_array(calls), json_group_array(unpriced)
     FROM (SELECT ${perItem}, CASE WHEN COUNT(*) FILTER (WHERE status = 'error') > 0
           THEN json_group_array(turn_index) FILTER (WHERE status = 'error') END AS failed
       FROM turns WHERE run_id = ? AND target_id = ? GROUP BY item_id ORDER BY item_id)`,
        postgres: `SELECT ${sums},
       COALESCE(json_agg(item_id ORDER BY item_id) FILTER (WHERE failed IS NOT NULL)::text, '[]'),
       COALESCE(json_agg(failed ORDER BY item_id) FILTER (WHERE failed IS NOT NULL)::text, '[]'),
       COALESCE(json_agg(item_id ORDER BY item_id)::text, '[]'), COALESCE(json_agg(cost ORDER BY item_id)::text, '[]'),
       COALESCE(json_agg(calls ORDER BY item_id)::text, '[]'), COALESCE(json_agg(unpriced ORDER BY item_id)::text, '[]')
     FROM (SELECT ${perItem},
         json_agg(turn_index ORDER BY turn_index) FILTER (WHERE status = 'error') AS failed
       FROM turns WHERE run_id = ? AND target_id = ? GROUP BY item_id) AS per_item`,
      }),
    )
    .raw(true)
    .get(runId, targetId) as [...number[]];
  const [calls, cached, inputTokens, outputTokens, answered, unpricedCalls, costUsd, cachedInputTokens] =
    row as number[];
  const [cacheWriteTokens, batchedCalls] = row.slice(8, 10) as number[];
  const [failedItems, failedLists, itemIds, costs, callCounts, unpriced] = row.slice(10) as unknown as string[];
  return {
    usage: { calls: calls ?? 0, cached: cached ?? 0, inputTokens: inputTokens ?? 0, outputTokens: outputTokens ?? 0 },
    costs: {
      calls: calls ?? 0,
      unpricedCalls: unpricedCalls ?? 0,
      costUsd: costUsd ?? 0,
      inputTokens: inputTokens ?? 0,
      cachedInputTokens: cachedInputTokens ?? 0,
      cacheWriteTokens: cacheWriteTokens ?? 0,
      outputTokens: outputTokens ?? 0,
      batchedCalls: batchedCalls ?? 0,
    },
    answered: answered ?? 0,
    ...failedTurnsOf(
      parseStoredJson<string[]>(failedItems ?? "[]", "the report's failed items"),
      parseStoredJson<number[][]>(failedLists ?? "[]", "the report's failed turns"),
    ),
    conversations: {
      itemIds: parseStoredJson<string[]>(itemIds ?? "[]", "the report's item ids"),
      costUsd: parseStoredJson<number[]>(costs ?? "[]", "turns.cost_usd"),
      calls: parseStoredJson<number[]>(callCounts ?? "[]", "the report's turn counts"),
      unpricedCalls: parseStoredJson<number[]>(unpriced ?? "[]", "the report's unpriced turns"),
    },
  };
}
/** Failed turns as parallel arrays, from each failing item's list of failed turns. */
function failedTurnsOf(
  items: readonly string[],
  lists: readonly (readonly number[])[],
): { failedItems: string[]; failedTurns: number[] } {
  const failedItems: string[] = [];
  const failedTurns: number[] = [];
  items.forEach((itemId, position) => {
    for (const turn of lists[position] ?? []) {
      failedItems.push(itemId);
      failedTurns.push(turn);
    }
  });
  return { failedItems, failedTurns };
}

/** Every stored turn of a target as `[itemId, turnIndex, status]` tuples, streamed (not materialised). */
export function iterateTargetTurns(
  db: Db,
  runId: string,
  targetId: string,
): Iterable<readonly [string, number, "success" | "error"]> {
  return db
    .prepare("SELECT item_id, turn_index, status FROM turns WHERE run_id = ? AND target_id = ?")
    .raw(true)
    .iterate(runId, targetId) as Iterable<[string, number, "success" | "error"]>;
}

/**
 * Every stored turn of a target as `[itemId, turnIndex, status, epoch]` tuples, streamed: a target with several epochs
 * (decision 0030) marks its turns per epoch.
 */
export function iterateTargetTurnEpochs(
  db: Db,
  runId: string,
  targetId: string,
): Iterable<readonly [string, number, "success" | "error", number]> {
  return db
    .prepare("SELECT item_id, turn_index, status, epoch FROM turns WHERE run_id = ? AND target_id = ?")
    .raw(true)
    .iterate(runId, targetId) as Iterable<[string, number, "success" | "error", number]>;
}

/** The usage of a run's judgments on one rubric (one index range). */
export function judgmentUsage(db: Db, runId: string, rubricId: string): UsageSums {
  const [calls, cached, inputTokens, outputTokens] = db
    .prepare(
      `SELECT COUNT(*), COALESCE(SUM(cached), 0), COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0)
     FROM judgments WHERE run_id = ? AND rubric_id = ?`,
    )
    .raw(true)
    .get(runId, rubricId) as [number, number, number, number];
  return { calls, cached, inputTokens, outputTokens };
}

/** Money and tokens of the calls of one conversation (item × target) by one role, as a read model row. */
export interface ConversationCostRow extends CostSums {
  readonly targetId: string;
  readonly itemId: string;
}

/**
 * The attacker's calls of one target's conversations (adaptive runs: `conversations.attacker_*`), summed per item over
 * epochs, in item id order. A conversation's attacker cost is one stored value: when it is NULL (unpriced), all its
 * attacker calls are unpriced. Attacker calls are never batched.
 */
export function attackerCosts(db: Db, runId: string, targetId: string): ConversationCostRow[] {
  return db
    .prepare(
      `SELECT target_id AS "targetId", item_id AS "itemId", SUM(attacker_calls) AS calls,
       SUM(CASE WHEN attacker_cost_usd IS NULL THEN attacker_calls ELSE 0 END) AS "unpricedCalls",
       COALESCE(SUM(attacker_cost_usd), 0) AS "costUsd", SUM(attacker_input_tokens) AS "inputTokens",
       SUM(attacker_cached_input_tokens) AS "cachedInputTokens", SUM(attacker_cache_write_tokens) AS "cacheWriteTokens",
       SUM(attacker_output_tokens) AS "outputTokens", 0 AS "batchedCalls"
     FROM conversations WHERE run_id = ? AND target_id = ? AND attacker_calls > 0
     GROUP BY target_id, item_id ORDER BY item_id`,
    )
    .all(runId, targetId) as ConversationCostRow[];
}

/** One judge's judgments of one conversation on a rubric: their money and tokens. */
export interface JudgmentCostRow extends ConversationCostRow {
  readonly judgeId: string;
}

/**
 * A run's judgments on one rubric summed per target, item and judge (in that order), for the rubrics the turn table
 * does not read (their items have one turn, so a row is about one judgment per epoch).
 */
export function judgmentCostRows(db: Db, runId: string, rubricId: string): JudgmentCostRow[] {
  const rows = db
    .prepare(
      `SELECT target_id, item_id, judge_id, ${costSumsSql()}
     FROM judgments WHERE run_id = ? AND rubric_id = ? GROUP BY target_id, item_id, judge_id ORDER BY target_id, item_id, judge_id`,
    )
    .raw(true)
    .all(runId, rubricId) as Array<[string, string, string, ...number[]]>;
  return rows.map(([targetId, itemId, judgeId, ...sums]) => ({ targetId, itemId, judgeId, ...costSumsOf(sums) }));
}

/** Verdicts of one judge on one target's turns, by status, with the sum of its scores. */
export interface JudgmentCountRow {
  readonly targetId: string;
  readonly judgeId: string;
  readonly scored: number;
  readonly unscored: number;
  readonly errors: number;
  readonly sum: number;
}

/** A run's judgments on one rubric counted per target and judge (by target, then judge). */
export function judgmentCounts(db: Db, runId: string, rubricId: string): JudgmentCountRow[] {
  return db
    .prepare(
      `SELECT target_id AS "targetId", judge_id AS "judgeId", COUNT(*) FILTER (WHERE status = 'scored') AS scored,
       COUNT(*) FILTER (WHERE status = 'unscored') AS unscored, COUNT(*) FILTER (WHERE status = 'error') AS errors, COALESCE(SUM(score), 0) AS sum
     FROM judgments WHERE run_id = ? AND rubric_id = ? GROUP BY target_id, judge_id ORDER BY target_id, judge_id`,
    )
    .all(runId, rubricId) as JudgmentCountRow[];
}

/** The rubrics among `rubricIds` that have at least one judgment in the run (an index seek each), sorted. */
export function rubricsWithJudgments(db: Db, runId: string, rubricIds: readonly string[]): string[] {
  const exists = db.prepare("SELECT 1 FROM judgments WHERE run_id = ? AND rubric_id = ? LIMIT 1");
  return rubricIds.filter((id) => exists.get(runId, id) !== undefined).sort();
}

/** One judged turn on a rubric: its turn score (null: no valid score), judge errors and its item's labels. */
export interface TurnScoreRow {
  readonly targetId: string;
  readonly score: number | null;
  readonly errors: number;
  readonly guidelineId: string;
  /** The item's `metadata.source` (MedSafetyBench's source model), null when absent. */
  readonly source: string | null;
}

/**
 * Every judged turn of a run on one rubric (one row per turn, in turn key order: the same order on every backend, so
 * sums over the rows come out the same), for the rubrics read by SQL aggregation.
 */
export function turnScoreRows(db: Db, runId: string, rubricId: string): TurnScoreRow[] {
  // PostgreSQL: the judgments are grouped by turn first, so the item's columns need no aggregate (one item per turn).
  return db
    .prepare(
      sqlFor(db, {
        sqlite: `SELECT t.target_id AS "targetId", AVG(CASE WHEN j.status = 'scored' THEN j.score END) AS score,
       COUNT(*) FILTER (WHERE j.status = 'error') AS errors, MIN(ri.guideline_id) AS "guidelineId",
       MIN(json_extract(i.item_json, '$.metadata.source')) AS source
     FROM judgments j JOIN turns t ON t.key = j.turn_key
     JOIN run_items ri ON ri.run_id = t.run_id AND ri.item_id = t.item_id
     JOIN items i ON i.version = ri.item_version
     WHERE j.run_id = ? AND j.rubric_id = ? GROUP BY t.key ORDER BY t.key`,
        postgres: `SELECT t.target_id AS "targetId", s.score, s.errors, ri.guideline_id AS "guidelineId",
       ${jsonExtract("{metadata,source}")} AS source
     FROM (SELECT j.turn_key, AVG(CASE WHEN j.status = 'scored' THEN j.score END) AS score,
         COUNT(*) FILTER (WHERE j.status = 'error') AS errors
       FROM judgments j WHERE j.run_id = ? AND j.rubric_id = ? GROUP BY j.turn_key) AS s
     JOIN turns t ON t.key = s.turn_key
     JOIN run_items ri ON ri.run_id = t.run_id AND ri.item_id = t.item_id
     JOIN items i ON i.version = ri.item_version ${ITEM_DOCUMENT}
     ORDER BY t.key`,
      }),
    )
    .all(runId, rubricId) as TurnScoreRow[];
}

/** Scored verdicts of one target with one label (rubrics with labels, e.g. helpfulness's `refuse`). */
export interface LabelCountRow {
  readonly targetId: string;
  readonly label: string;
  readonly count: number;
}

/** A run's scored, labelled verdicts on one rubric counted by target and label (labels in order). */
export function labelCounts(db: Db, runId: string, rubricId: string): LabelCountRow[] {
  return db
    .prepare(
      `SELECT target_id AS "targetId", label, COUNT(*) AS count FROM judgments
     WHERE run_id = ? AND rubric_id = ? AND status = 'scored' AND label IS NOT NULL GROUP BY target_id, label ORDER BY label`,
    )
    .all(runId, rubricId) as LabelCountRow[];
}

/** A scored turn's score on a rubric, with its target and its item's language. */
export interface LanguageTurnScoreRow {
  readonly targetId: string;
  readonly language: string;
  readonly rubricId: string;
  readonly score: number;
}

/**
 * The turn scores (mean of the judges' valid scores) of a run on two rubrics, turns without a valid score left out, in
 * turn key then rubric order.
 */
export function languageTurnScores(
  db: Db,
  runId: string,
  rubricIds: readonly [string, string],
): LanguageTurnScoreRow[] {
  return db
    .prepare(
      `SELECT t.target_id AS "targetId", MIN(ri.language) AS language, j.rubric_id AS "rubricId",
       AVG(CASE WHEN j.status = 'scored' THEN j.score END) AS score
     FROM judgments j JOIN turns t ON t.key = j.turn_key
     JOIN run_items ri ON ri.run_id = t.run_id AND ri.item_id = t.item_id
     WHERE j.run_id = ? AND j.rubric_id IN (?, ?) GROUP BY t.key, j.rubric_id
     HAVING AVG(CASE WHEN j.status = 'scored' THEN j.score END) IS NOT NULL ORDER BY t.key, j.rubric_id`,
    )
    .all(runId, ...rubricIds) as LanguageTurnScoreRow[];
}

/** Scored verdicts with a label of one target in one language, and how many of them carry `label`. */
export interface LanguageLabelRow {
  readonly targetId: string;
  readonly language: string;
  readonly matching: number;
  readonly labelled: number;
}

/** Per target and language: scored verdicts on a rubric that carry a label, and those labelled `label`. */
export function languageLabelCounts(db: Db, runId: string, rubricId: string, label: string): LanguageLabelRow[] {
  return db
    .prepare(
      `SELECT t.target_id AS "targetId", ri.language AS language, COUNT(*) FILTER (WHERE j.label = ?) AS matching, COUNT(*) AS labelled
     FROM judgments j JOIN turns t ON t.key = j.turn_key JOIN run_items ri ON ri.run_id = t.run_id AND ri.item_id = t.item_id
     WHERE j.run_id = ? AND j.rubric_id = ? AND j.status = 'scored' AND j.label IS NOT NULL GROUP BY t.target_id, ri.language`,
    )
    .all(label, runId, rubricId) as LanguageLabelRow[];
}

/** One scored verdict with where it belongs, as streamed by `scoredJudgmentsByTurn`. */
export type ScoredJudgmentTuple = readonly [
  turnKey: string,
  judgeId: string,
  score: number,
  targetId: string,
  itemId: string,
  turnIndex: number,
  language: string,
  strategy: string,
];

/** A run's scored verdicts on one rubric, ordered by turn key (a turn's verdicts are adjacent), streamed as tuples. */
export function scoredJudgmentsByTurn(db: Db, runId: string, rubricId: string): Iterable<ScoredJudgmentTuple> {
  return db
    .prepare(
      `SELECT j.turn_key, j.judge_id, j.score, j.target_id, j.item_id, j.turn_index, ri.language, ri.strategy
     FROM judgments j JOIN run_items ri ON ri.run_id = j.run_id AND ri.item_id = j.item_id
     WHERE j.run_id = ? AND j.rubric_id = ? AND j.status = 'scored' ORDER BY j.turn_key`,
    )
    .raw(true)
    .iterate(runId, rubricId) as Iterable<ScoredJudgmentTuple>;
}
