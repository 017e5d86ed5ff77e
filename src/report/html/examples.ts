/**
 * What the HTML report shows beyond the report model: a few example conversations per (rubric × target ×
 * strategy) cell, the worst-scoring first, and the joint score counts of each rubric's first judge pair. Every
 * query aggregates in SQL (one grouped pass over the run's judgments, then indexed look-ups of at most `limit`
 * conversations), so a store with millions of judgments stays fast.
 */
import type { Db } from "../../store/index.js";
import type { RunReport } from "../report-model.js";
import { anchorId } from "./escape.js";

export interface ExampleJudgment {
  readonly judgeId: string;
  readonly rubricId: string;
  readonly status: "scored" | "unscored" | "error";
  readonly score: number | null;
  /** Rationale of a scored verdict, the reason of an unscored one, the error message of a failed call. */
  readonly text: string | null;
}

export interface ExampleTurn {
  readonly turn: number;
  readonly status: "success" | "error";
  readonly userMessage: string;
  readonly response: string | null;
  readonly error: string | null;
  readonly judgments: readonly ExampleJudgment[];
}

export interface ExampleConversation {
  readonly anchor: string;
  readonly targetId: string;
  readonly itemId: string;
  readonly language: string;
  readonly strategy: string;
  readonly guidelineId: string;
  /** Conversation score per rubric: the mean of its turn scores (each the mean of the valid judge scores). */
  readonly scores: Readonly<Record<string, number>>;
  readonly turns: readonly ExampleTurn[];
}

/** The examples of one cell, worst first (anchors of `conversations`). */
export interface ExampleCell {
  readonly anchor: string;
  readonly rubricId: string;
  readonly targetId: string;
  readonly strategy: string;
  readonly conversations: readonly string[];
}

/** Number of turns with each pair of scores from two judges of one rubric. */
export interface JudgeScatter {
  readonly rubricId: string;
  readonly judges: readonly [string, string];
  readonly counts: ReadonlyArray<{ readonly a: number; readonly b: number; readonly count: number }>;
}

export interface ReportExamples {
  readonly limit: number;
  /** More candidate conversations existed than `limit`. */
  readonly truncated: boolean;
  readonly cells: readonly ExampleCell[];
  readonly conversations: readonly ExampleConversation[];
  readonly judgeScatter: readonly JudgeScatter[];
}

export interface ExampleOptions {
  /** Most conversations in all (default 200). */
  readonly limit?: number;
  /** Most conversations per cell (default 2). */
  readonly perCell?: number;
  /** Longest text kept per message, in characters (default 8000). */
  readonly maxTextLength?: number;
}

export const EMPTY_EXAMPLES: ReportExamples = { limit: 0, truncated: false, cells: [], conversations: [], judgeScatter: [] };

export const TRUNCATION_MARK = "\u2026[truncated]";

export function cellAnchor(rubricId: string, targetId: string, strategy: string): string {
  return anchorId("cell", rubricId, targetId, strategy);
}

export function conversationAnchor(targetId: string, itemId: string): string {
  return anchorId("conv", targetId, itemId);
}

interface Candidate { targetId: string; itemId: string; rubricId: string; score: number; strategy: string; language: string; guidelineId: string; rank: number }

export function loadReportExamples(db: Db, report: RunReport, options: ExampleOptions = {}): ReportExamples {
  const limit = options.limit ?? 200;
  const runId = report.run.id;
  const descending = report.run.rubrics.filter((rubric) => rubric.scale !== undefined && !rubric.scale.higherIsSafer).map((rubric) => rubric.id);
  const candidates = db.prepare(
    `WITH turn_scores AS (
       SELECT target_id, item_id, turn_index, rubric_id, AVG(score) AS score FROM judgments
       WHERE run_id = @run AND status = 'scored' GROUP BY target_id, item_id, turn_index, rubric_id
     ), conversations AS (
       SELECT target_id, item_id, rubric_id, AVG(score) AS score FROM turn_scores GROUP BY target_id, item_id, rubric_id
     ), ranked AS (
       SELECT c.target_id AS targetId, c.item_id AS itemId, c.rubric_id AS rubricId, c.score AS score, ri.strategy AS strategy,
         ri.language AS language, ri.guideline_id AS guidelineId,
         ROW_NUMBER() OVER (PARTITION BY c.rubric_id, c.target_id, ri.strategy
           ORDER BY CASE WHEN c.rubric_id IN (SELECT value FROM json_each(@descending)) THEN -c.score ELSE c.score END, c.item_id) AS rank
       FROM conversations c JOIN run_items ri ON ri.run_id = @run AND ri.item_id = c.item_id
     )
     SELECT * FROM ranked WHERE rank <= @perCell ORDER BY rank, rubricId, targetId, strategy, itemId LIMIT @limit`,
  ).all({ run: runId, descending: JSON.stringify(descending), perCell: options.perCell ?? 2, limit: limit + 1 }) as Candidate[];
  const truncated = candidates.length > limit;
  const kept = candidates.slice(0, limit);
  const conversations = new Map<string, ExampleConversation>();
  const cells = new Map<string, { anchor: string; rubricId: string; targetId: string; strategy: string; conversations: string[] }>();
  const loader = conversationLoader(db, runId, options.maxTextLength ?? 8000);
  for (const candidate of [...kept].sort((left, right) => left.rank - right.rank)) {
    const anchor = conversationAnchor(candidate.targetId, candidate.itemId);
    const existing = conversations.get(anchor);
    if (existing === undefined) conversations.set(anchor, { ...loader(candidate), scores: { [candidate.rubricId]: candidate.score } });
    else conversations.set(anchor, { ...existing, scores: { ...existing.scores, [candidate.rubricId]: candidate.score } });
    const cellKey = cellAnchor(candidate.rubricId, candidate.targetId, candidate.strategy);
    const cell = cells.get(cellKey) ?? { anchor: cellKey, rubricId: candidate.rubricId, targetId: candidate.targetId, strategy: candidate.strategy, conversations: [] };
    cell.conversations.push(anchor);
    cells.set(cellKey, cell);
  }
  return { limit, truncated, cells: [...cells.values()], conversations: [...conversations.values()], judgeScatter: judgeScatter(db, report) };
}

function conversationLoader(db: Db, runId: string, maxLength: number): (candidate: Candidate) => Omit<ExampleConversation, "scores"> {
  const turns = db.prepare(
    `SELECT key, turn_index AS turn, status, user_message AS userMessage, response_text AS response,
       COALESCE(error_message, error_code) AS error
     FROM turns WHERE run_id = ? AND target_id = ? AND item_id = ? ORDER BY turn_index, epoch`,
  );
  const judgments = db.prepare(
    `SELECT judge_id AS judgeId, rubric_id AS rubricId, status, score,
       CASE status WHEN 'scored' THEN rationale WHEN 'unscored' THEN COALESCE(unscored_reason, raw_text) ELSE COALESCE(error_message, error_code) END AS text
     FROM judgments WHERE turn_key = ? ORDER BY judge_id`,
  );
  const clip = (text: string | null): string | null => (text === null || text.length <= maxLength ? text : `${text.slice(0, maxLength)}${TRUNCATION_MARK}`);
  return (candidate) => {
    const seen = new Set<number>();
    const rows = (turns.all(runId, candidate.targetId, candidate.itemId) as Array<{ key: string; turn: number; status: "success" | "error"; userMessage: string; response: string | null; error: string | null }>)
      .filter((row) => (seen.has(row.turn) ? false : (seen.add(row.turn), true)));
    return {
      anchor: conversationAnchor(candidate.targetId, candidate.itemId),
      targetId: candidate.targetId, itemId: candidate.itemId, language: candidate.language, strategy: candidate.strategy, guidelineId: candidate.guidelineId,
      turns: rows.map((row) => ({
        turn: row.turn, status: row.status, userMessage: clip(row.userMessage) ?? "", response: clip(row.response), error: clip(row.error),
        judgments: (judgments.all(row.key) as ExampleJudgment[]).map((judgment) => ({ ...judgment, text: clip(judgment.text) })),
      })),
    };
  };
}

/** Joint score counts of the first two judges of each rubric with an agreement section. */
function judgeScatter(db: Db, report: RunReport): JudgeScatter[] {
  const statement = db.prepare(
    `SELECT a, b, COUNT(*) AS count FROM (
       SELECT MAX(CASE WHEN judge_id = @a THEN score END) AS a, MAX(CASE WHEN judge_id = @b THEN score END) AS b
       FROM judgments WHERE run_id = @run AND rubric_id = @rubric AND status = 'scored' AND judge_id IN (@a, @b) GROUP BY turn_key)
     WHERE a IS NOT NULL AND b IS NOT NULL GROUP BY a, b ORDER BY a, b`,
  );
  return report.agreement.flatMap((agreement) => {
    const [a, b] = agreement.judges;
    if (a === undefined || b === undefined) return [];
    const counts = statement.all({ run: report.run.id, rubric: agreement.rubricId, a, b }) as Array<{ a: number; b: number; count: number }>;
    return [{ rubricId: agreement.rubricId, judges: [a, b] as const, counts }];
  });
}
