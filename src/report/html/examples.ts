/**
 * What the HTML report shows beyond the report model: a few example conversations per (rubric × target ×
 * strategy) cell, the worst-scoring first, and the joint score counts of each rubric's first judge pair. Both read
 * a bounded sample: the first items of each strategy (by position in the run), by seeks on the (run, rubric, target,
 * item) prefix of the judgments_report covering index, so the cost does not grow with the store (a full grouped pass
 * over millions of judgments takes tens of seconds). Conversations and turns are then looked up by index, at most `limit` conversations.
 */
import type { Db } from "../../store/index.js";
import type { RunReport } from "../report-model.js";
import {
  cellAnchor,
  conversationAnchor,
  type ExampleConversation,
  type ExampleJudgment,
  type ExampleOptions,
  type JudgeScatter,
  type ReportExamples,
  TRUNCATION_MARK,
} from "./example-types.js";

export * from "./example-types.js";

interface Candidate {
  targetId: string;
  itemId: string;
  rubricId: string;
  score: number;
  strategy: string;
  language: string;
  guidelineId: string;
  rank: number;
}

/**
 * The run's first `perStrategy` items of each strategy (by position), as JSON for `json_each`: every query below
 * reads only their judgments, through the judgments_by_run index, whatever the size of the store.
 */
function sampleItems(db: Db, runId: string, perStrategy: number): { items: string; sampled: number; total: number } {
  const rows = db
    .prepare(
      `SELECT item_id AS itemId FROM (SELECT item_id, ROW_NUMBER() OVER (PARTITION BY strategy ORDER BY seq) AS position FROM run_items WHERE run_id = ?)
     WHERE position <= ? ORDER BY item_id`,
    )
    .pluck()
    .all(runId, perStrategy) as string[];
  const total = db.prepare("SELECT COUNT(*) FROM run_items WHERE run_id = ?").pluck().get(runId) as number;
  return { items: JSON.stringify(rows), sampled: rows.length, total };
}

export function loadReportExamples(db: Db, report: RunReport, options: ExampleOptions = {}): ReportExamples {
  const limit = options.limit ?? 200;
  const runId = report.run.id;
  const targets = JSON.stringify([
    ...new Set([
      ...report.targets.map((target) => target.targetId),
      ...report.scales.flatMap((scale) => scale.targets.map((target) => target.key)),
    ]),
  ]);
  const rubrics = JSON.stringify([
    ...new Set([...report.run.rubrics.map((rubric) => rubric.id), ...report.scales.map((scale) => scale.rubric.id)]),
  ]);
  const sample = sampleItems(db, runId, options.samplePerStrategy ?? 64);
  const descending = report.run.rubrics
    .filter((rubric) => rubric.scale !== undefined && !rubric.scale.higherIsSafer)
    .map((rubric) => rubric.id);
  const candidates = db
    .prepare(
      `WITH turn_scores AS (
       SELECT j.target_id, j.item_id, j.turn_index, j.rubric_id, AVG(j.score) AS score
       FROM json_each(@rubrics) AS rubric CROSS JOIN json_each(@targets) AS target CROSS JOIN json_each(@items) AS item
       CROSS JOIN judgments j ON j.run_id = @run AND j.rubric_id = rubric.value AND j.target_id = target.value AND j.item_id = item.value
       WHERE j.status = 'scored' GROUP BY j.target_id, j.item_id, j.turn_index, j.rubric_id
     ), conversations AS (
       SELECT target_id, item_id, rubric_id, AVG(score) AS score FROM turn_scores GROUP BY target_id, item_id, rubric_id
     ), ranked AS (
       SELECT c.target_id AS targetId, c.item_id AS itemId, c.rubric_id AS rubricId, c.score AS score, ri.strategy AS strategy,
         ri.language AS language, ri.guideline_id AS guidelineId,
         ROW_NUMBER() OVER (PARTITION BY c.rubric_id, c.target_id, ri.strategy
           ORDER BY CASE WHEN c.rubric_id IN (SELECT value FROM json_each(@descending)) THEN -c.score ELSE c.score END, ri.seq) AS rank
       FROM conversations c JOIN run_items ri ON ri.run_id = @run AND ri.item_id = c.item_id
     )
     SELECT * FROM ranked WHERE rank <= @perCell ORDER BY rank, rubricId, targetId, strategy, itemId LIMIT @limit`,
    )
    .all({
      run: runId,
      items: sample.items,
      targets,
      rubrics,
      descending: JSON.stringify(descending),
      perCell: options.perCell ?? 2,
      limit: limit + 1,
    }) as Candidate[];
  const truncated = candidates.length > limit;
  const kept = candidates.slice(0, limit);
  const conversations = new Map<string, ExampleConversation>();
  const cells = new Map<
    string,
    { anchor: string; rubricId: string; targetId: string; strategy: string; conversations: string[] }
  >();
  const loader = conversationLoader(db, runId, options.maxTextLength ?? 8000);
  for (const candidate of kept) {
    const anchor = conversationAnchor(candidate.targetId, candidate.itemId);
    const existing = conversations.get(anchor);
    if (existing === undefined)
      conversations.set(anchor, { ...loader(candidate), scores: { [candidate.rubricId]: candidate.score } });
    else
      conversations.set(anchor, { ...existing, scores: { ...existing.scores, [candidate.rubricId]: candidate.score } });
    const cellKey = cellAnchor(candidate.rubricId, candidate.targetId, candidate.strategy);
    const cell = cells.get(cellKey) ?? {
      anchor: cellKey,
      rubricId: candidate.rubricId,
      targetId: candidate.targetId,
      strategy: candidate.strategy,
      conversations: [],
    };
    cell.conversations.push(anchor);
    cells.set(cellKey, cell);
  }
  const scatterPerStrategy = options.scatterSamplePerStrategy ?? 128;
  const scatterSample = sampleItems(db, runId, scatterPerStrategy);
  return {
    limit,
    truncated,
    samplePerStrategy: options.samplePerStrategy ?? 64,
    sampledItems: sample.sampled,
    totalItems: sample.total,
    cells: [...cells.values()],
    conversations: [...conversations.values()],
    judgeScatter: judgeScatter(db, report, targets, { ...scatterSample, perStrategy: scatterPerStrategy }),
  };
}

function conversationLoader(
  db: Db,
  runId: string,
  maxLength: number,
): (candidate: Candidate) => Omit<ExampleConversation, "scores"> {
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
  const clip = (text: string | null): string | null =>
    text === null || text.length <= maxLength ? text : `${text.slice(0, maxLength)}${TRUNCATION_MARK}`;
  return (candidate) => {
    const seen = new Set<number>();
    const rows = (
      turns.all(runId, candidate.targetId, candidate.itemId) as Array<{
        key: string;
        turn: number;
        status: "success" | "error";
        userMessage: string;
        response: string | null;
        error: string | null;
      }>
    ).filter((row) => (seen.has(row.turn) ? false : (seen.add(row.turn), true)));
    return {
      anchor: conversationAnchor(candidate.targetId, candidate.itemId),
      targetId: candidate.targetId,
      itemId: candidate.itemId,
      language: candidate.language,
      strategy: candidate.strategy,
      guidelineId: candidate.guidelineId,
      turns: rows.map((row) => ({
        turn: row.turn,
        status: row.status,
        userMessage: clip(row.userMessage) ?? "",
        response: clip(row.response),
        error: clip(row.error),
        judgments: (judgments.all(row.key) as ExampleJudgment[]).map((judgment) => ({
          ...judgment,
          text: clip(judgment.text),
        })),
      })),
    };
  };
}

/** Joint score counts of the first two judges of each rubric with an agreement section, over the sampled items' turns. */
function judgeScatter(
  db: Db,
  report: RunReport,
  targets: string,
  sample: { items: string; sampled: number; total: number; perStrategy: number },
): JudgeScatter[] {
  const statement = db.prepare(
    `SELECT a, b, COUNT(*) AS count FROM (
       SELECT MAX(CASE WHEN j.judge_id = @a THEN j.score END) AS a, MAX(CASE WHEN j.judge_id = @b THEN j.score END) AS b
       FROM json_each(@rubrics) AS rubric CROSS JOIN json_each(@targets) AS target CROSS JOIN json_each(@items) AS item
       CROSS JOIN judgments j ON j.run_id = @run AND j.rubric_id = rubric.value AND j.target_id = target.value AND j.item_id = item.value
       WHERE j.status = 'scored' AND j.judge_id IN (@a, @b) GROUP BY j.target_id, j.item_id, j.turn_index)
     WHERE a IS NOT NULL AND b IS NOT NULL GROUP BY a, b ORDER BY a, b`,
  );
  return report.agreement.flatMap((agreement) => {
    const [a, b] = agreement.judges;
    if (a === undefined || b === undefined) return [];
    const counts = statement.all({
      run: report.run.id,
      rubric: agreement.rubricId,
      a,
      b,
      items: sample.items,
      targets,
      rubrics: JSON.stringify([agreement.rubricId]),
    }) as Array<{ a: number; b: number; count: number }>;
    return [
      {
        rubricId: agreement.rubricId,
        judges: [a, b] as const,
        counts,
        turns: counts.reduce((sum, cell) => sum + cell.count, 0),
        samplePerStrategy: sample.perStrategy,
        sampledItems: sample.sampled,
        totalItems: sample.total,
      },
    ];
  });
}
