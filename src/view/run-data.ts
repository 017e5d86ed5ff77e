/** What the viewer reads from the store besides the report: run summaries, one conversation with its judgments. */
import type { Db, RunRecord } from "../store/index.js";

export interface RunFacts {
  readonly targets: readonly string[];
  readonly judges: readonly string[];
  readonly rubrics: readonly string[];
}

/** Target and judge ids from the run's frozen config (ids only: nothing else of the config reaches a page). */
export function runFacts(run: RunRecord): RunFacts {
  const config = run.config as { targets?: Array<{ id?: unknown }>; judges?: Array<{ id?: unknown }> };
  const ids = (list: Array<{ id?: unknown }> | undefined): string[] =>
    (list ?? []).flatMap((entry) => (typeof entry.id === "string" ? [entry.id] : []));
  return { targets: ids(config.targets), judges: ids(config.judges), rubrics: run.rubrics.map((rubric) => rubric.id) };
}

/** Turns stored for a run (one count over turns_by_run). */
export function turnCount(db: Db, runId: string): number {
  return db.prepare("SELECT COUNT(*) FROM turns WHERE run_id = ?").pluck().get(runId) as number;
}

export interface ItemFacts {
  readonly itemId: string;
  readonly language: string;
  readonly pairId: string | null;
  readonly guidelineId: string;
  readonly strategy: string;
  readonly turnCount: number;
  readonly json: string;
}

export function loadItem(db: Db, runId: string, itemId: string): ItemFacts | undefined {
  return db
    .prepare(
      `SELECT ri.item_id AS itemId, ri.language, ri.pair_id AS pairId, ri.guideline_id AS guidelineId, ri.strategy, ri.turn_count AS turnCount,
       i.item_json AS json
     FROM run_items ri JOIN items i ON i.version = ri.item_version WHERE ri.run_id = ? AND ri.item_id = ?`,
    )
    .get(runId, itemId) as ItemFacts | undefined;
}

/** The other items of the same pair (the ja/en twins). */
export function twinIds(db: Db, runId: string, item: ItemFacts): string[] {
  if (item.pairId === null) return [];
  return db
    .prepare(
      "SELECT item_id FROM run_items WHERE run_id = ? AND pair_id = ? AND item_id <> ? ORDER BY language, item_id",
    )
    .pluck()
    .all(runId, item.pairId, item.itemId) as string[];
}

export interface JudgmentView {
  readonly judgeId: string;
  readonly status: "scored" | "unscored" | "error";
  readonly score: number | null;
  readonly rationale: string | null;
  readonly unscoredReason: string | null;
  readonly errorMessage: string | null;
  readonly rubricId: string;
}

export interface TurnView {
  readonly turnIndex: number;
  readonly status: "success" | "error";
  readonly userMessage: string;
  readonly responseText: string | null;
  readonly errorCode: string | null;
  readonly errorStatus: number | null;
  readonly errorMessage: string | null;
  readonly judgments: readonly JudgmentView[];
  /** Mean of the scored judgments, or null (unscored). */
  readonly score: number | null;
}

/** Every stored turn of one conversation (first epoch), each with its judgments. */
export function loadTurns(db: Db, runId: string, targetId: string, itemId: string): TurnView[] {
  const turns = db
    .prepare(
      `SELECT turn_index AS turnIndex, status, user_message AS userMessage, response_text AS responseText, error_code AS errorCode,
       error_status AS errorStatus, error_message AS errorMessage
     FROM turns WHERE run_id = ? AND target_id = ? AND item_id = ? AND epoch = 0 ORDER BY turn_index`,
    )
    .all(runId, targetId, itemId) as Array<Omit<TurnView, "judgments" | "score">>;
  const judgments = db
    .prepare(
      `SELECT turn_index AS turnIndex, judge_id AS judgeId, status, score, rationale, unscored_reason AS unscoredReason,
       error_message AS errorMessage, rubric_id AS rubricId
     FROM judgments WHERE run_id = ? AND target_id = ? AND item_id = ? ORDER BY turn_index, judge_id`,
    )
    .all(runId, targetId, itemId) as Array<JudgmentView & { turnIndex: number }>;
  return turns.map((turn) => {
    const own = judgments
      .filter((judgment) => judgment.turnIndex === turn.turnIndex)
      .map(({ turnIndex: _turn, ...judgment }) => judgment);
    const scores = own.flatMap((judgment) =>
      judgment.status === "scored" && judgment.score !== null ? [judgment.score] : [],
    );
    return {
      ...turn,
      judgments: own,
      score: scores.length === 0 ? null : scores.reduce((sum, value) => sum + value, 0) / scores.length,
    };
  });
}

export interface TurnSummary {
  readonly turnIndex: number;
  readonly status: "success" | "error";
  readonly scored: number;
  readonly mean: number | null;
  readonly spread: number | null;
}

/** Per-turn status, mean and judge spread of one conversation (covering indexes only): a row of the table. */
export function turnSummaries(
  db: Db,
  runId: string,
  rubrics: readonly string[],
  targetId: string,
  itemId: string,
): TurnSummary[] {
  return db
    .prepare(
      `SELECT t.turn_index AS turnIndex, t.status, COALESCE(s.scored, 0) AS scored, s.mean, s.spread
     FROM turns t INDEXED BY turns_report
     LEFT JOIN (
       SELECT j.turn_index, COUNT(j.score) AS scored, AVG(j.score) AS mean, MAX(j.score) - MIN(j.score) AS spread
       FROM json_each(@rubrics) AS rubric CROSS JOIN judgments j INDEXED BY judgments_report
         ON j.run_id = @run AND j.rubric_id = rubric.value AND j.target_id = @target AND j.item_id = @item
       GROUP BY j.turn_index
     ) s ON s.turn_index = t.turn_index
     WHERE t.run_id = @run AND t.target_id = @target AND t.item_id = @item ORDER BY t.turn_index`,
    )
    .all({ run: runId, target: targetId, item: itemId, rubrics: JSON.stringify(rubrics) }) as TurnSummary[];
}

export interface ItemLabels {
  readonly language: string;
  readonly strategy: string;
  readonly guidelineId: string;
  readonly turnCount: number;
}

/** Language, strategy, guideline and planned turns of some items of a run. */
export function itemLabels(db: Db, runId: string, itemIds: readonly string[]): Map<string, ItemLabels> {
  const rows = db
    .prepare(
      `SELECT ri.item_id AS itemId, ri.language, ri.strategy, ri.guideline_id AS guidelineId, ri.turn_count AS turnCount
     FROM json_each(?) AS wanted CROSS JOIN run_items ri INDEXED BY run_items_item ON ri.run_id = ? AND ri.item_id = wanted.value`,
    )
    .all(JSON.stringify([...new Set(itemIds)]), runId) as Array<ItemLabels & { itemId: string }>;
  return new Map(rows.map(({ itemId, ...labels }) => [itemId, labels]));
}

/** Distinct values of an item column of a run, for the filter menus. */
export function distinctValues(db: Db, runId: string, column: "strategy" | "guideline_id" | "language"): string[] {
  return db
    .prepare(`SELECT DISTINCT ${column} FROM run_items WHERE run_id = ? ORDER BY ${column}`)
    .pluck()
    .all(runId) as string[];
}
