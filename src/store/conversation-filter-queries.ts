/**
 * The viewer's conversations table as SQL over the covering indexes: item filters (strategy, guideline, language)
 * select run items along run_items_item; turn filters (score range, judge disagreement, error / unscored) keep an
 * item of one target when one of its turns meets all of them, read from `turns_report` and `judgments_report` a chunk
 * of items at a time. A turn's score is the mean of its judges' valid scores (analysis `turnScore`; only scored
 * verdicts carry a score). Filter values are always bound as parameters, never put into the SQL text. The paging
 * (keyset cursors, time budget) is the viewer's (view/conversation-query.ts). SQLite's statements name their index
 * (`INDEXED BY`, `+col`); PostgreSQL's leave the choice to its planner, and take a chunk's item ids (a JSON array)
 * as an array (`= ANY`) to seek or as a set (`IN`) to filter a range.
 */
import type { Db } from "./database.js";
import { dialectOf, type SqlDialect } from "./sql-dialect.js";

export const TURN_STATES = ["error", "unscored"] as const;
export type TurnState = (typeof TURN_STATES)[number];

export interface ConversationFilter {
  readonly target?: string;
  readonly strategy?: string;
  readonly guideline?: string;
  readonly language?: string;
  /** The turn's mean judge score is at least this. */
  readonly minScore?: number;
  /** The turn's mean judge score is at most this. */
  readonly maxScore?: number;
  /** Max − min of the turn's scored judges (two or more) is at least this. */
  readonly disagreement?: number;
  readonly state?: TurnState;
}

/** SQL conditions and named parameters for an SQL fragment. */
export interface SqlPart {
  readonly sql: string;
  readonly params: Readonly<Record<string, string | number>>;
}

/** The item filters as one SQL query of run item ids in id order (uses run_items_item). */
export function itemQuery(runId: string, filter: ConversationFilter, dialect: SqlDialect = "sqlite"): SqlPart {
  const conditions = ["run_id = @run"];
  const params: Record<string, string | number> = { run: runId };
  const add = (column: string, name: string, value: string | undefined): void => {
    if (value === undefined) return;
    conditions.push(`${column} = @${name}`);
    params[name] = value;
  };
  add("strategy", "strategy", filter.strategy);
  add("guideline_id", "guideline", filter.guideline);
  add("language", "language", filter.language);
  const from = dialect === "sqlite" ? "run_items INDEXED BY run_items_item" : "run_items";
  return { sql: `SELECT item_id FROM ${from} WHERE ${conditions.join(" AND ")} ORDER BY item_id`, params };
}

/** The score and disagreement filters as conditions on `s` (a turn's judge aggregates). */
export function scoreConditions(filter: ConversationFilter): SqlPart {
  const conditions: string[] = [];
  const params: Record<string, string | number> = {};
  if (filter.minScore !== undefined) {
    conditions.push("s.mean >= @minScore");
    params["minScore"] = filter.minScore;
  }
  if (filter.maxScore !== undefined) {
    conditions.push("s.mean <= @maxScore");
    params["maxScore"] = filter.maxScore;
  }
  if (filter.disagreement !== undefined) {
    conditions.push("s.scored >= 2 AND s.spread >= @disagreement");
    params["disagreement"] = filter.disagreement;
  }
  return { sql: conditions.length === 0 ? "TRUE" : conditions.join(" AND "), params };
}

/** `j.rubric_id = @rubric0` or `j.rubric_id IN (@rubric0, …)`, and its parameters. */
export function rubricCondition(rubrics: readonly string[]): SqlPart {
  const names = rubrics.map((_, index) => `@rubric${index}`);
  const params = Object.fromEntries(rubrics.map((rubric, index) => [`rubric${index}`, rubric]));
  if (names.length === 0) return { sql: "FALSE", params };
  return { sql: names.length === 1 ? `j.rubric_id = ${names[0]}` : `j.rubric_id IN (${names.join(", ")})`, params };
}

/**
 * Matching item ids of one target among a chunk of item ids (JSON array in @items), in id order (`descending` for
 * backward pages). `seek` mode looks each item up in turns_report and judgments_report (run, rubric, target, item);
 * `range` reads the chunk's id range @first..@last of the indexes and keeps the items of @items; `all` (every item
 * of the run selected) reads the range only. Turns are read only for the state filters: score and disagreement
 * come from the judgments alone (a turn without judgments has neither).
 */
export function chunkQuery(
  filter: ConversationFilter,
  descending: boolean,
  rubrics: readonly string[],
  mode: "seek" | "range" | "all" = "seek",
  dialect: SqlDialect = "sqlite",
): SqlPart {
  if (dialect === "postgres") return postgresChunkQuery(filter, descending, rubrics, mode);
  const rubric = rubricCondition(rubrics);
  const order = `ORDER BY "itemId" ${descending ? "DESC" : "ASC"}`;
  if (filter.state === undefined) {
    const score = scoreConditions(filter);
    const member = mode === "range" ? " AND +j.item_id IN (SELECT value FROM json_each(@items))" : "";
    const judgments =
      mode === "seek"
        ? `FROM json_each(@items) AS chunk CROSS JOIN judgments j INDEXED BY judgments_report
           ON j.run_id = @run AND ${rubric.sql} AND j.target_id = @target AND j.item_id = chunk.value`
        : `FROM judgments j INDEXED BY judgments_report
           WHERE j.run_id = @run AND ${rubric.sql} AND j.target_id = @target AND j.item_id BETWEEN @first AND @last${member}`;
    const scores = `SELECT j.item_id, j.turn_index, COUNT(j.score) AS scored, AVG(j.score) AS mean, MAX(j.score) - MIN(j.score) AS spread
         ${judgments} GROUP BY j.item_id, j.turn_index`;
    return {
      sql: `SELECT DISTINCT s.item_id AS "itemId" FROM (${scores}) AS s WHERE ${score.sql} ${order}`,
      params: { ...score.params, ...rubric.params },
    };
  }
  const turns =
    mode === "seek"
      ? "FROM json_each(@items) AS chunk CROSS JOIN turns t INDEXED BY turns_report ON t.run_id = @run AND t.target_id = @target AND t.item_id = chunk.value WHERE TRUE"
      : `FROM turns t INDEXED BY turns_report WHERE t.run_id = @run AND t.target_id = @target AND t.item_id BETWEEN @first AND @last${
          mode === "range" ? " AND +t.item_id IN (SELECT value FROM json_each(@items))" : ""
        }`;
  const state =
    filter.state === "error"
      ? "t.status = 'error'"
      : `t.status = 'success' AND NOT EXISTS (SELECT 1 FROM judgments j INDEXED BY judgments_report WHERE j.run_id = @run AND ${rubric.sql}
         AND j.target_id = @target AND j.item_id = t.item_id AND j.turn_index = t.turn_index AND j.status = 'scored')`;
  return {
    sql: `SELECT DISTINCT t.item_id AS "itemId" ${turns} AND ${state} ${order}`,
    params: filter.state === "unscored" ? rubric.params : {},
  };
}

/** `chunkQuery` for PostgreSQL: the same matches, in the same order. */
function postgresChunkQuery(
  filter: ConversationFilter,
  descending: boolean,
  rubrics: readonly string[],
  mode: "seek" | "range" | "all",
): SqlPart {
  const rubric = rubricCondition(rubrics);
  const order = `ORDER BY "itemId" ${descending ? "DESC" : "ASC"}`;
  const items = (column: string): string =>
    mode === "seek"
      ? ` AND ${column} = ANY (ARRAY(SELECT jsonb_array_elements_text(@items::jsonb)))`
      : ` AND ${column} BETWEEN @first AND @last${
          mode === "range" ? ` AND ${column} IN (SELECT jsonb_array_elements_text(@items::jsonb))` : ""
        }`;
  if (filter.state === undefined) {
    const score = scoreConditions(filter);
    const scores = `SELECT j.item_id, j.turn_index, COUNT(j.score) AS scored, AVG(j.score) AS mean, MAX(j.score) - MIN(j.score) AS spread
         FROM judgments j WHERE j.run_id = @run AND ${rubric.sql} AND j.target_id = @target${items("j.item_id")}
         GROUP BY j.item_id, j.turn_index`;
    return {
      sql: `SELECT DISTINCT s.item_id AS "itemId" FROM (${scores}) AS s WHERE ${score.sql} ${order}`,
      params: { ...score.params, ...rubric.params },
    };
  }
  // The chunk's id range, repeated on the judgments: a hash or merge anti join then reads that range, not the target's.
  const range = mode === "seek" ? "" : " AND j.item_id BETWEEN @first AND @last";
  const state =
    filter.state === "error"
      ? "t.status = 'error'"
      : `t.status = 'success' AND NOT EXISTS (SELECT 1 FROM judgments j WHERE j.run_id = @run AND ${rubric.sql}
         AND j.target_id = @target${range} AND j.item_id = t.item_id AND j.turn_index = t.turn_index AND j.status = 'scored')`;
  return {
    sql: `SELECT DISTINCT t.item_id AS "itemId" FROM turns t WHERE t.run_id = @run AND t.target_id = @target${items("t.item_id")} AND ${state} ${order}`,
    params: filter.state === "unscored" ? rubric.params : {},
  };
}

/** How a chunk query reads its items: seek each, read their id range, or (every item selected) the range only. */
export type ChunkMode = "seek" | "range" | "all";

/** The run item ids the item filters select (in SQLite's id order). */
export function filteredItemIds(db: Db, runId: string, filter: ConversationFilter): string[] {
  const query = itemQuery(runId, filter, dialectOf(db));
  return db.prepare(query.sql).pluck().all(query.params) as string[];
}

/** One chunk of a turn-filtered search: a target and its items in the page's direction (first and last in that order). */
export interface ItemChunk {
  readonly targetId: string;
  readonly items: readonly string[];
  readonly first: string;
  readonly last: string;
}

/** The turn filters of a search, prepared once: the matching item ids of one chunk, in the page's direction. */
export type ChunkMatcher = (chunk: ItemChunk) => string[];

/** Prepares the chunk query of `chunkQuery` for a run. */
export function chunkMatcher(
  db: Db,
  runId: string,
  filter: ConversationFilter,
  descending: boolean,
  rubrics: readonly string[],
  mode: ChunkMode,
): ChunkMatcher {
  const query = chunkQuery(filter, descending, rubrics, mode, dialectOf(db));
  const statement = db.prepare(query.sql).pluck();
  const params = { ...query.params, run: runId };
  const usesItems = query.sql.includes("@items");
  return (chunk) =>
    statement.all({
      ...params,
      ...(usesItems ? { items: JSON.stringify(chunk.items) } : {}),
      target: chunk.targetId,
      first: chunk.first,
      last: chunk.last,
    }) as string[];
}
