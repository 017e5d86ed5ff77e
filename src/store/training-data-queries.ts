import type { Db } from "./database.js";

/**
 * One stored turn of a conversation with its turn score on one rubric: the mean of the turn's `scored` judgments on
 * that rubric (null when none is scored). A turn judged on two rubrics gives two rows; a turn without any judgment
 * gives one row whose `rubricId` is null.
 */
export interface TurnRubricScoreRow {
  readonly epoch: number;
  readonly turnIndex: number;
  readonly status: "success" | "error";
  readonly userMessage: string;
  readonly responseText: string | null;
  readonly rubricId: string | null;
  readonly score: number | null;
}

/**
 * What the fine-tuning data pipeline (`export sft`) reads from a run: its targets, and per item and target the
 * stored turns with their score per rubric. The statements are prepared once, as the export asks for every item ×
 * target of a run.
 */
export class TrainingDataQueries {
  private readonly targetsOfRun;
  private readonly turnScoresOf;

  constructor(db: Db) {
    this.targetsOfRun = db.prepare("SELECT DISTINCT target_id FROM turns WHERE run_id = ? ORDER BY target_id").pluck();
    this.turnScoresOf = db.prepare(
      `SELECT t.epoch AS epoch, t.turn_index AS "turnIndex", t.status AS status, t.user_message AS "userMessage",
       t.response_text AS "responseText", j.rubric_id AS "rubricId", AVG(CASE WHEN j.status = 'scored' THEN j.score END) AS score
     FROM turns t LEFT JOIN judgments j ON j.turn_key = t.key
     WHERE t.run_id = ? AND t.target_id = ? AND t.item_id = ?
     GROUP BY t.key, j.rubric_id ORDER BY t.epoch, t.turn_index, j.rubric_id`,
    );
  }

  /** The ids of the targets with stored turns in a run, sorted. */
  targets(runId: string): string[] {
    return this.targetsOfRun.all(runId) as string[];
  }

  /** The stored turns of one item and target of a run with their score per rubric, by epoch, turn, rubric. */
  turnScores(runId: string, targetId: string, itemId: string): TurnRubricScoreRow[] {
    return this.turnScoresOf.all(runId, targetId, itemId) as TurnRubricScoreRow[];
  }
}
