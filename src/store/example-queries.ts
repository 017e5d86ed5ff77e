/**
 * What the HTML report reads beyond the report model: a bounded sample of a run's items (the first items of each
 * strategy, by position), the worst-scoring sampled conversations per (rubric × target × strategy) cell, their turns
 * and verdicts, and the joint score counts of two judges. Every query seeks the (run, rubric, target, item) prefix
 * of the judgments_report covering index for the sampled items only, so its cost does not grow with the store.
 * Turn scores here are the mean of the scored verdicts (analysis `turnScore`); a conversation's score is the mean of
 * its scored turns.
 */
import type { Db } from "./database.js";
import { sqlFor } from "./sql-dialect.js";

/** PostgreSQL: the text values of a JSON array parameter, as an array an index scan can take (`col = ANY(…)`). */
function jsonTextArray(parameter: string): string {
  return `ARRAY(SELECT jsonb_array_elements_text(${parameter}::jsonb))`;
}

/** The sampled item ids (as a JSON array, for `json_each`), how many, and the run's item count. */
export interface ItemSample {
  readonly items: string;
  readonly sampled: number;
  readonly total: number;
}

/** The run's first `perStrategy` items of each strategy (by position), in id order. */
export function sampleRunItems(db: Db, runId: string, perStrategy: number): ItemSample {
  const rows = db
    .prepare(
      `SELECT item_id AS "itemId" FROM (SELECT item_id, ROW_NUMBER() OVER (PARTITION BY strategy ORDER BY seq) AS position FROM run_items WHERE run_id = ?) AS positioned
     WHERE position <= ? ORDER BY item_id`,
    )
    .pluck()
    .all(runId, perStrategy) as string[];
  const total = db.prepare("SELECT COUNT(*) FROM run_items WHERE run_id = ?").pluck().get(runId) as number;
  return { items: JSON.stringify(rows), sampled: rows.length, total };
}

/** A sampled conversation ranked within its (rubric, target, strategy) cell, worst first. */
export interface ExampleCandidate {
  readonly targetId: string;
  readonly itemId: string;
  readonly rubricId: string;
  /** The conversation's score on the rubric (mean of its scored turns' scores). */
  readonly score: number;
  readonly strategy: string;
  readonly language: string;
  readonly guidelineId: string;
  readonly rank: number;
}

export interface ExampleCandidateQuery {
  readonly runId: string;
  /** Sampled item ids, JSON array (ItemSample.items). */
  readonly items: string;
  /** Target ids, JSON array. */
  readonly targets: string;
  /** Rubric ids, JSON array. */
  readonly rubrics: string;
  /** Rubrics whose higher scores are worse (ranked by descending score), JSON array. */
  readonly descending: string;
  readonly perCell: number;
  readonly limit: number;
}

/** The `perCell` worst sampled conversations of each cell, rank by rank, at most `limit`. */
export function exampleCandidates(db: Db, query: ExampleCandidateQuery): ExampleCandidate[] {
  return db
    .prepare(
      sqlFor(db, {
        sqlite: `WITH turn_scores AS (
       SELECT j.target_id, j.item_id, j.turn_index, j.rubric_id, AVG(j.score) AS score
       FROM json_each(@rubrics) AS rubric CROSS JOIN json_each(@targets) AS target CROSS JOIN json_each(@items) AS item
       CROSS JOIN judgments j ON j.run_id = @run AND j.rubric_id = rubric.value AND j.target_id = target.value AND j.item_id = item.value
       WHERE j.status = 'scored' GROUP BY j.target_id, j.item_id, j.turn_index, j.rubric_id
     ), conversations AS (
       SELECT target_id, item_id, rubric_id, AVG(score) AS score FROM turn_scores GROUP BY target_id, item_id, rubric_id
     ), ranked AS (
       SELECT c.target_id AS "targetId", c.item_id AS "itemId", c.rubric_id AS "rubricId", c.score AS score, ri.strategy AS strategy,
         ri.language AS language, ri.guideline_id AS "guidelineId",
         ROW_NUMBER() OVER (PARTITION BY c.rubric_id, c.target_id, ri.strategy
           ORDER BY CASE WHEN c.rubric_id IN (SELECT value FROM json_each(@descending)) THEN -c.score ELSE c.score END, ri.seq) AS rank
       FROM conversations c JOIN run_items ri ON ri.run_id = @run AND ri.item_id = c.item_id
     )
     SELECT * FROM ranked WHERE rank <= @perCell ORDER BY rank, "rubricId", "targetId", strategy, "itemId" LIMIT @limit`,
        // A conversation's score is the mean of its turn scores, which are fractions: SQLite's AVG adds them with
        // Kahan-Babuska-Neumaier compensation, PostgreSQL's plainly, so the last bit can differ (and with it a rank).
        // `steps` replays SQLite's additions in turn order (running sum, and each addition's rounding error), so the
        // score is the same double: (sum + error sum) / count.
        postgres: `WITH turn_scores AS (
       SELECT j.target_id, j.item_id, j.turn_index, j.rubric_id, AVG(j.score) AS score
       FROM judgments j
       WHERE j.run_id = @run AND j.rubric_id = ANY (${jsonTextArray("@rubrics")}) AND j.target_id = ANY (${jsonTextArray("@targets")})
         AND j.item_id = ANY (${jsonTextArray("@items")}) AND j.status = 'scored'
       GROUP BY j.target_id, j.item_id, j.turn_index, j.rubric_id
     ), running AS (
       SELECT target_id, item_id, rubric_id, turn_index, score, SUM(score) OVER conversation AS total
       FROM turn_scores
       WINDOW conversation AS (PARTITION BY target_id, item_id, rubric_id ORDER BY turn_index ROWS UNBOUNDED PRECEDING)
     ), steps AS (
       SELECT target_id, item_id, rubric_id, turn_index, total,
         CASE WHEN abs(before) > abs(score) THEN (before - total) + score ELSE (score - total) + before END AS error
       FROM (SELECT running.*, COALESCE(LAG(total) OVER (PARTITION BY target_id, item_id, rubric_id ORDER BY turn_index), 0) AS before
         FROM running) AS added
     ), conversations AS (
       SELECT target_id, item_id, rubric_id,
         ((array_agg(total ORDER BY turn_index DESC))[1] + SUM(error ORDER BY turn_index)) / COUNT(*) AS score
       FROM steps GROUP BY target_id, item_id, rubric_id
     ), ranked AS (
       SELECT c.target_id AS "targetId", c.item_id AS "itemId", c.rubric_id AS "rubricId", c.score AS score, ri.strategy AS strategy,
         ri.language AS language, ri.guideline_id AS "guidelineId",
         ROW_NUMBER() OVER (PARTITION BY c.rubric_id, c.target_id, ri.strategy
           ORDER BY CASE WHEN c.rubric_id = ANY (${jsonTextArray("@descending")}) THEN -c.score ELSE c.score END, ri.seq) AS rank
       FROM conversations c JOIN run_items ri ON ri.run_id = @run AND ri.item_id = c.item_id
     )
     SELECT * FROM ranked WHERE rank <= @perCell ORDER BY rank, "rubricId", "targetId", strategy, "itemId" LIMIT @limit`,
      }),
    )
    .all({
      run: query.runId,
      items: query.items,
      targets: query.targets,
      rubrics: query.rubrics,
      descending: query.descending,
      perCell: query.perCell,
      limit: query.limit,
    }) as ExampleCandidate[];
}

/** One stored turn of an example conversation (every epoch; the caller keeps the first of each turn). */
export interface ExampleTurnRow {
  readonly key: string;
  readonly turn: number;
  readonly status: "success" | "error";
  readonly userMessage: string;
  readonly response: string | null;
  /** The error message (or code) of a failed turn. */
  readonly error: string | null;
}

/** One verdict on an example turn, with the text to show: rationale, unscored reason (or raw answer), or error. */
export interface ExampleJudgmentRow {
  readonly judgeId: string;
  readonly rubricId: string;
  readonly status: "scored" | "unscored" | "error";
  readonly score: number | null;
  readonly text: string | null;
}

/** Readers of one run's conversations (statements prepared once): turns by conversation, verdicts by turn key. */
export interface ExampleConversationReader {
  turns(targetId: string, itemId: string): ExampleTurnRow[];
  judgments(turnKey: string): ExampleJudgmentRow[];
}

export function exampleConversationReader(db: Db, runId: string): ExampleConversationReader {
  const turns = db.prepare(
    `SELECT key, turn_index AS turn, status, user_message AS "userMessage", response_text AS response,
       COALESCE(error_message, error_code) AS error
     FROM turns WHERE run_id = ? AND target_id = ? AND item_id = ? ORDER BY turn_index, epoch`,
  );
  const judgments = db.prepare(
    `SELECT judge_id AS "judgeId", rubric_id AS "rubricId", status, score,
       CASE status WHEN 'scored' THEN rationale WHEN 'unscored' THEN COALESCE(unscored_reason, raw_text) ELSE COALESCE(error_message, error_code) END AS text
     FROM judgments WHERE turn_key = ? ORDER BY judge_id, key`,
  );
  return {
    turns: (targetId, itemId) => turns.all(runId, targetId, itemId) as ExampleTurnRow[],
    judgments: (turnKey) => judgments.all(turnKey) as ExampleJudgmentRow[],
  };
}

/** How many sampled turns two judges scored (a, b): one cell of their joint counts. */
export interface ScoreCountCell {
  readonly a: number;
  readonly b: number;
  readonly count: number;
}

/** Joint score counts of judges `a` and `b` on one rubric over the sampled items' turns both scored, in (a, b) order. */
export function judgePairCounts(
  db: Db,
  query: { runId: string; rubricId: string; a: string; b: string; items: string; targets: string },
): ScoreCountCell[] {
  return db
    .prepare(
      sqlFor(db, {
        sqlite: `SELECT a, b, COUNT(*) AS count FROM (
       SELECT MAX(CASE WHEN j.judge_id = @a THEN j.score END) AS a, MAX(CASE WHEN j.judge_id = @b THEN j.score END) AS b
       FROM json_each(@rubrics) AS rubric CROSS JOIN json_each(@targets) AS target CROSS JOIN json_each(@items) AS item
       CROSS JOIN judgments j ON j.run_id = @run AND j.rubric_id = rubric.value AND j.target_id = target.value AND j.item_id = item.value
       WHERE j.status = 'scored' AND j.judge_id IN (@a, @b) GROUP BY j.target_id, j.item_id, j.turn_index) AS pairs
     WHERE a IS NOT NULL AND b IS NOT NULL GROUP BY a, b ORDER BY a, b`,
        postgres: `SELECT a, b, COUNT(*) AS count FROM (
       SELECT MAX(CASE WHEN j.judge_id = @a THEN j.score END) AS a, MAX(CASE WHEN j.judge_id = @b THEN j.score END) AS b
       FROM judgments j
       WHERE j.run_id = @run AND j.rubric_id = ANY (${jsonTextArray("@rubrics")}) AND j.target_id = ANY (${jsonTextArray("@targets")})
         AND j.item_id = ANY (${jsonTextArray("@items")}) AND j.status = 'scored' AND j.judge_id IN (@a, @b)
       GROUP BY j.target_id, j.item_id, j.turn_index) AS pairs
     WHERE a IS NOT NULL AND b IS NOT NULL GROUP BY a, b ORDER BY a, b`,
      }),
    )
    .all({
      run: query.runId,
      a: query.a,
      b: query.b,
      items: query.items,
      targets: query.targets,
      rubrics: JSON.stringify([query.rubricId]),
    }) as ScoreCountCell[];
}
