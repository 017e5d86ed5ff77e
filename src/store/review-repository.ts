import { randomUUID } from "node:crypto";
import { MedsafetyError, ReviewError, turnNumber } from "../core/index.js";
import type { Db } from "./database.js";
import { type RubricReference, RunRepository } from "./run-repository.js";

/** A reviewer's score for one turn of one conversation, on one rubric, with the reason. */
export interface NewReview {
  readonly runId: string;
  readonly targetId: string;
  readonly itemId: string;
  readonly turnIndex: number;
  readonly rubricId: string;
  readonly score: number;
  readonly reason: string;
  readonly reviewer: string;
}

/** A stored review: a new row every time (never an update of a judge's verdict or of an earlier review). */
export interface Review extends NewReview {
  readonly id: string;
  /** ISO 8601 (UTC, `toISOString`): the latest review of a turn, by (createdAt, id), is the one used. */
  readonly createdAt: string;
}

export interface ReviewFilter {
  readonly targetId?: string;
  readonly itemId?: string;
}

interface ReviewRow {
  id: string;
  run_id: string;
  target_id: string;
  item_id: string;
  turn_index: number;
  rubric_id: string;
  score: number;
  reason: string;
  reviewer: string;
  created_at: string;
}

const ORDER = "ORDER BY target_id, item_id, turn_index, created_at, id";

/**
 * Human reviews (migration 6). `add` validates a review against the run (the turn was answered, the rubric is one
 * the run uses, the score is on its scale, reason and reviewer are not empty) and stores it as a new row; judges'
 * rows are never touched. Reports read the latest review of each turn (`latestByTurn`).
 */
export class ReviewRepository {
  private readonly runs: RunRepository;

  constructor(private readonly db: Db) {
    this.runs = new RunRepository(db);
  }

  /** Validates and stores a new review with a fresh id; throws ReviewError (field named) or run_not_found. */
  add(review: NewReview, now = new Date()): Review {
    const stored: Review = { ...trimmed(review), id: randomUUID(), createdAt: now.toISOString() };
    this.validate(stored);
    this.insert(stored);
    return stored;
  }

  /**
   * Stores a review that already has its id and time (an import): validated as `add`, and skipped when a review
   * with that id is stored already. Returns whether it was added. Its createdAt must be an ISO 8601 time.
   */
  addExisting(review: Review): boolean {
    if (this.get(review.id) !== undefined) return false;
    const time = Date.parse(review.createdAt);
    if (Number.isNaN(time))
      throw new ReviewError(
        "createdAt",
        `"${review.createdAt}" is not a time`,
        "Give an ISO 8601 time such as 2026-01-31T12:00:00.000Z",
      );
    const stored: Review = { ...trimmed(review), id: review.id, createdAt: new Date(time).toISOString() };
    this.validate(stored);
    this.insert(stored);
    return true;
  }

  get(id: string): Review | undefined {
    const row = this.db.prepare("SELECT * FROM reviews WHERE id = ?").get(id) as ReviewRow | undefined;
    return row === undefined ? undefined : toReview(row);
  }

  /** Every review of a run (all of them, not only the latest), by target, item, turn, then time. */
  list(runId: string, filter: ReviewFilter = {}): Review[] {
    const conditions = ["run_id = ?"];
    const values: unknown[] = [runId];
    if (filter.targetId !== undefined) {
      conditions.push("target_id = ?");
      values.push(filter.targetId);
    }
    if (filter.itemId !== undefined) {
      conditions.push("item_id = ?");
      values.push(filter.itemId);
    }
    const rows = this.db
      .prepare(`SELECT * FROM reviews WHERE ${conditions.join(" AND ")} ${ORDER}`)
      .all(...values) as ReviewRow[];
    return rows.map(toReview);
  }

  /**
   * The latest review of each reviewed turn of a run on one rubric (optionally of one target), by target, item and
   * turn: the review a report uses. One indexed range scan.
   */
  latestByTurn(runId: string, rubricId: string, targetId?: string): Review[] {
    const targetCondition = targetId === undefined ? "" : "AND target_id = ?";
    const rows = this.db
      .prepare(
        `SELECT id, run_id, target_id, item_id, turn_index, rubric_id, score, reason, reviewer, created_at FROM (
         SELECT *, ROW_NUMBER() OVER (PARTITION BY target_id, item_id, turn_index ORDER BY created_at DESC, id DESC) AS position
         FROM reviews WHERE run_id = ? AND rubric_id = ? ${targetCondition}) AS ranked
       WHERE position = 1 ${ORDER}`,
      )
      .all(...(targetId === undefined ? [runId, rubricId] : [runId, rubricId, targetId])) as ReviewRow[];
    return rows.map(toReview);
  }

  /** How many reviews a run has (all rubrics, every review). */
  count(runId: string): number {
    return this.db.prepare("SELECT COUNT(*) FROM reviews WHERE run_id = ?").pluck().get(runId) as number;
  }

  private insert(review: Review): void {
    this.db
      .prepare(
        `INSERT INTO reviews (id, run_id, target_id, item_id, turn_index, rubric_id, score, reason, reviewer, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        review.id,
        review.runId,
        review.targetId,
        review.itemId,
        review.turnIndex,
        review.rubricId,
        review.score,
        review.reason,
        review.reviewer,
        review.createdAt,
      );
  }

  private validate(review: Review): void {
    if (review.id === "") throw new ReviewError("id", "the id is empty", "Give every review a non-empty id");
    if (review.reason.trim() === "")
      throw new ReviewError("reason", "the reason is empty", "Say why the turn deserves this score");
    if (review.reviewer === "")
      throw new ReviewError("reviewer", "the reviewer is empty", "Name who reviewed the turn");
    if (!Number.isInteger(review.turnIndex) || review.turnIndex < 0) {
      throw new ReviewError(
        "turn",
        `${turnNumber(review.turnIndex)} is not a turn number`,
        "Give the turn as a whole number ≥ 1 (turn 1 is the first user turn and its reply)",
      );
    }
    const run = this.runs.get(review.runId);
    if (run === undefined) {
      throw new MedsafetyError(
        "run_not_found",
        `Run "${review.runId}" is not in this store. List runs with \`medsafety runs list\` (and check --store).`,
      );
    }
    const rubric = run.rubrics.find((reference) => reference.id === review.rubricId);
    if (rubric === undefined) {
      throw new ReviewError(
        "rubricId",
        `run ${run.id} has no rubric "${review.rubricId}"`,
        `Use one of its rubrics: ${run.rubrics.map((reference) => reference.id).join(", ") || "(none recorded)"}`,
      );
    }
    checkScore(review.score, rubric);
    this.checkTurn(review);
  }

  private checkTurn(review: Review): void {
    // People and files number turns from 1; the store keeps the 0-based index.
    const where = `target "${review.targetId}", item "${review.itemId}", turn ${turnNumber(review.turnIndex)}`;
    const turn = this.db
      .prepare("SELECT status FROM turns WHERE run_id = ? AND target_id = ? AND item_id = ? AND turn_index = ? LIMIT 1")
      .get(review.runId, review.targetId, review.itemId, review.turnIndex) as { status: string } | undefined;
    if (turn === undefined) {
      throw new ReviewError(
        "turn",
        `run ${review.runId} has no turn for ${where}`,
        "Check the target id, item id and turn (numbered from 1, as in `medsafety reviews list`, the report and the viewer)",
      );
    }
    if (turn.status !== "success") {
      throw new ReviewError(
        "turn",
        `the turn for ${where} failed (no reply to review)`,
        "Review only turns the target answered",
      );
    }
    const rubrics = this.db
      .prepare(
        "SELECT DISTINCT rubric_id FROM judgments WHERE run_id = ? AND target_id = ? AND item_id = ? AND turn_index = ?",
      )
      .pluck()
      .all(review.runId, review.targetId, review.itemId, review.turnIndex) as string[];
    if (rubrics.length > 0 && !rubrics.includes(review.rubricId)) {
      throw new ReviewError(
        "rubricId",
        `the turn for ${where} was judged on ${rubrics.join(", ")}, not "${review.rubricId}"`,
        "Review it on the rubric its judges used",
      );
    }
  }
}

function checkScore(score: number, rubric: RubricReference): void {
  if (!Number.isFinite(score))
    throw new ReviewError("score", `${score} is not a number`, "Give a score on the rubric's scale");
  const scale = rubric.scale;
  if (scale !== undefined && (score < scale.min || score > scale.max)) {
    throw new ReviewError(
      "score",
      `${score} is off the ${rubric.id} scale ${scale.min}–${scale.max}`,
      `Give a score from ${scale.min} to ${scale.max}`,
    );
  }
}

/** The review's own fields only (a caller's extra keys are not stored), the reviewer's name trimmed. */
function trimmed(review: NewReview): NewReview {
  return {
    runId: review.runId,
    targetId: review.targetId,
    itemId: review.itemId,
    turnIndex: review.turnIndex,
    rubricId: review.rubricId,
    score: review.score,
    reason: review.reason,
    reviewer: review.reviewer.trim(),
  };
}

function toReview(row: ReviewRow): Review {
  return {
    id: row.id,
    runId: row.run_id,
    targetId: row.target_id,
    itemId: row.item_id,
    turnIndex: row.turn_index,
    rubricId: row.rubric_id,
    score: row.score,
    reason: row.reason,
    reviewer: row.reviewer,
    createdAt: row.created_at,
  };
}
