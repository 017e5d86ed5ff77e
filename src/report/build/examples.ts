/**
 * What the HTML report shows beyond the report model: a few example conversations per (rubric × target ×
 * strategy) cell, the worst-scoring first, and the joint score counts of each rubric's first judge pair. Both read
 * a bounded sample: the first items of each strategy (by position in the run), by seeks on the (run, rubric, target,
 * item) prefix of the judgments_report covering index, so the cost does not grow with the store (a full grouped pass
 * over millions of judgments takes tens of seconds). Conversations and turns are then looked up by index, at most `limit` conversations.
 */
import {
  type Db,
  type ExampleCandidate,
  exampleCandidates,
  exampleConversationReader,
  type ItemSample,
  judgePairCounts,
  sampleRunItems,
} from "../../store/index.js";
import { cellAnchor, conversationAnchor } from "../model/anchors.js";
import {
  type ExampleConversation,
  type ExampleJudgment,
  type ExampleOptions,
  type JudgeScatter,
  type ReportExamples,
  TRUNCATION_MARK,
} from "../model/example-types.js";
import type { RunReport } from "../model/report-model.js";

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
  const sample = sampleRunItems(db, runId, options.samplePerStrategy ?? 64);
  const descending = report.run.rubrics
    .filter((rubric) => rubric.scale !== undefined && !rubric.scale.higherIsSafer)
    .map((rubric) => rubric.id);
  const candidates = exampleCandidates(db, {
    runId,
    items: sample.items,
    targets,
    rubrics,
    descending: JSON.stringify(descending),
    perCell: options.perCell ?? 2,
    limit: limit + 1,
  });
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
  const scatterSample = sampleRunItems(db, runId, scatterPerStrategy);
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
): (candidate: ExampleCandidate) => Omit<ExampleConversation, "scores"> {
  const reader = exampleConversationReader(db, runId);
  const clip = (text: string | null): string | null =>
    text === null || text.length <= maxLength ? text : `${text.slice(0, maxLength)}${TRUNCATION_MARK}`;
  return (candidate) => {
    const seen = new Set<number>();
    const rows = reader.turns(candidate.targetId, candidate.itemId).filter((row) => {
      if (seen.has(row.turn)) return false;
      seen.add(row.turn);
      return true;
    });
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
        judgments: reader.judgments(row.key).map(
          (judgment): ExampleJudgment => ({
            ...judgment,
            text: clip(judgment.text),
          }),
        ),
      })),
    };
  };
}

/** Joint score counts of the first two judges of each rubric with an agreement section, over the sampled items' turns. */
function judgeScatter(
  db: Db,
  report: RunReport,
  targets: string,
  sample: ItemSample & { perStrategy: number },
): JudgeScatter[] {
  return report.agreement.flatMap((agreement) => {
    const [a, b] = agreement.judges;
    if (a === undefined || b === undefined) return [];
    const counts = judgePairCounts(db, {
      runId: report.run.id,
      rubricId: agreement.rubricId,
      a,
      b,
      items: sample.items,
      targets,
    });
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
