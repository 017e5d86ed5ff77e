/**
 * The report's read models: every query a run's report makes, returning typed rows or, for the multi-turn rubric,
 * the encoded one-row-per-target form of decision 0006 (SQLite does the scan, JavaScript gets one row). The report
 * builders (report/) keep the aggregation and statistics; this file owns only the SQL and its iteration. Turn
 * scores computed here in SQL (`AVG(CASE WHEN status = 'scored' THEN score END)`) follow the definition of
 * analysis/safety-metrics.ts (`turnScore`): the mean of the judges' valid scores, null when none is valid.
 */
import type { Db } from "./database.js";
import { parseStoredJson } from "./stored-json.js";

/** Calls, cached calls and tokens of one slice of a run (a target's turns, or judgments). */
export interface UsageSums {
  readonly calls: number;
  readonly cached: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
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
      `SELECT ri.item_id AS itemId, ri.language, ri.pair_id AS pairId, ri.guideline_id AS guideline, ri.strategy, ri.turn_count AS turnCount,
       json_extract(i.item_json, '$.metadata.attacker') AS attacker,
       COALESCE(json_extract(i.item_json, '$.metadata.guidelineSection'), json_extract(i.item_json, '$.metadata.section')) AS section
     FROM run_items ri JOIN items i ON i.version = ri.item_version
     WHERE ri.run_id = @run AND COALESCE(json_extract(i.item_json, '$.rubric'), @default) = @rubric
     ORDER BY ri.seq`,
    )
    .all({ run: runId, rubric: rubricId, default: defaultRubric }) as ReportItemRow[];
}

/**
 * How `targetJudgments` encodes one judgment: turn × JUDGMENT_CODE.turn + (judge position + 1) × 4 + status code
 * (judge position −1, i.e. 0 in the code: a judge not in the list asked for).
 */
export const JUDGMENT_CODE = { turn: 4096, scored: 0, unscored: 1, error: 2 } as const;

/** One target's judgments on one rubric as one encoded row (decision 0006), with their usage. */
export interface EncodedJudgments {
  /** Item id of each judgment. */
  readonly itemIds: readonly string[];
  /** Turn, judge position and status of each judgment (see JUDGMENT_CODE). */
  readonly codes: readonly number[];
  /** Score of each judgment (null unless scored). */
  readonly scores: ReadonlyArray<number | null>;
  readonly usage: UsageSums;
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
): EncodedJudgments {
  const judgeCode =
    judges.length === 0
      ? "0"
      : `CASE judge_id ${judges.map((_, position) => `WHEN ? THEN ${position + 1}`).join(" ")} ELSE 0 END`;
  const status = `CASE status WHEN 'scored' THEN ${JUDGMENT_CODE.scored} WHEN 'unscored' THEN ${JUDGMENT_CODE.unscored} ELSE ${JUDGMENT_CODE.error} END`;
  const row = db
    .prepare(
      `SELECT json_group_array(item_id), '[' || group_concat(turn_index * ${JUDGMENT_CODE.turn} + (${judgeCode}) * 4 + (${status})) || ']',
       json_group_array(score), COUNT(*), TOTAL(cached), TOTAL(input_tokens), TOTAL(output_tokens)
     FROM judgments WHERE run_id = ? AND rubric_id = ? AND target_id = ?`,
    )
    .raw(true)
    .get(...judges, runId, rubricId, targetId) as [string, string | null, string, number, number, number, number];
  const [itemIds, codes, scores, calls, cached, inputTokens, outputTokens] = row;
  return {
    itemIds: parseStoredJson<string[]>(itemIds, "the report's item ids"),
    codes: codes === null ? [] : parseStoredJson<number[]>(codes, "the report's judgment codes"),
    scores: parseStoredJson<Array<number | null>>(scores, "judgments.score"),
    usage: { calls, cached, inputTokens, outputTokens },
  };
}

/** One target's stored turns in one aggregate row: their usage, how many were answered, and where they failed. */
export interface TargetTurnSummary {
  readonly usage: UsageSums;
  /** Turns stored with status `success`. */
  readonly answered: number;
  /** Item id and turn index of each failed turn (`failedItems[i]` at turn `failedTurns[i]`). */
  readonly failedItems: readonly string[];
  readonly failedTurns: readonly number[];
}

/** One pass over a target's turns: the usage sums, the answered count and the failed turns (JSON arrays). */
export function targetTurnSummary(db: Db, runId: string, targetId: string): TargetTurnSummary {
  const [calls, cached, inputTokens, outputTokens, answered, failedItems, failedTurns] = db
    .prepare(
      `SELECT COUNT(*), TOTAL(cached), TOTAL(input_tokens), TOTAL(output_tokens), TOTAL(status = 'success'),
       json_group_array(item_id) FILTER (WHERE status = 'error'), json_group_array(turn_index) FILTER (WHERE status = 'error')
     FROM turns WHERE run_id = ? AND target_id = ?`,
    )
    .raw(true)
    .get(runId, targetId) as [number, number, number, number, number, string, string];
  return {
    usage: { calls, cached, inputTokens, outputTokens },
    answered,
    failedItems: parseStoredJson<string[]>(failedItems, "the report's failed items"),
    failedTurns: parseStoredJson<number[]>(failedTurns, "the report's failed turns"),
  };
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

/** The usage of a run's judgments on one rubric (one index range). */
export function judgmentUsage(db: Db, runId: string, rubricId: string): UsageSums {
  const [calls, cached, inputTokens, outputTokens] = db
    .prepare(
      "SELECT COUNT(*), TOTAL(cached), TOTAL(input_tokens), TOTAL(output_tokens) FROM judgments WHERE run_id = ? AND rubric_id = ?",
    )
    .raw(true)
    .get(runId, rubricId) as [number, number, number, number];
  return { calls, cached, inputTokens, outputTokens };
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

/** A run's judgments on one rubric counted per target and judge. */
export function judgmentCounts(db: Db, runId: string, rubricId: string): JudgmentCountRow[] {
  return db
    .prepare(
      `SELECT target_id AS targetId, judge_id AS judgeId, COALESCE(SUM(status = 'scored'), 0) AS scored,
       COALESCE(SUM(status = 'unscored'), 0) AS unscored, COALESCE(SUM(status = 'error'), 0) AS errors, COALESCE(SUM(score), 0) AS sum
     FROM judgments WHERE run_id = ? AND rubric_id = ? GROUP BY target_id, judge_id`,
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

/** Every judged turn of a run on one rubric (one row per turn), for the rubrics read by SQL aggregation. */
export function turnScoreRows(db: Db, runId: string, rubricId: string): TurnScoreRow[] {
  return db
    .prepare(
      `SELECT t.target_id AS targetId, AVG(CASE WHEN j.status = 'scored' THEN j.score END) AS score,
       SUM(j.status = 'error') AS errors, ri.guideline_id AS guidelineId, json_extract(i.item_json, '$.metadata.source') AS source
     FROM judgments j JOIN turns t ON t.key = j.turn_key
     JOIN run_items ri ON ri.run_id = t.run_id AND ri.item_id = t.item_id
     JOIN items i ON i.version = ri.item_version
     WHERE j.run_id = ? AND j.rubric_id = ? GROUP BY t.key`,
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
      `SELECT target_id AS targetId, label, COUNT(*) AS count FROM judgments
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

/** The turn scores (mean of the judges' valid scores) of a run on two rubrics, turns without a valid score left out. */
export function languageTurnScores(
  db: Db,
  runId: string,
  rubricIds: readonly [string, string],
): LanguageTurnScoreRow[] {
  return db
    .prepare(
      `SELECT targetId, language, rubricId, score FROM (
       SELECT t.target_id AS targetId, ri.language AS language, j.rubric_id AS rubricId,
         AVG(CASE WHEN j.status = 'scored' THEN j.score END) AS score
       FROM judgments j JOIN turns t ON t.key = j.turn_key
       JOIN run_items ri ON ri.run_id = t.run_id AND ri.item_id = t.item_id
       WHERE j.run_id = ? AND j.rubric_id IN (?, ?) GROUP BY t.key, j.rubric_id)
     WHERE score IS NOT NULL`,
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
      `SELECT t.target_id AS targetId, ri.language AS language, SUM(j.label = ?) AS matching, COUNT(*) AS labelled
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
