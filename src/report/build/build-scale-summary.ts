import {
  bonferroni,
  flaggedShare,
  flagOf,
  Histogram,
  HistogramCounter,
  mannWhitneyUHistograms,
} from "../../analysis/index.js";
import { DEFAULT_RUBRIC } from "../../judges/index.js";
import {
  type Db,
  labelCounts,
  type RunRecord,
  rubricsWithJudgments,
  type TurnScoreRow,
  turnScoreRows,
} from "../../store/index.js";
import type { CategoryComparison, GroupSummary, ScaleSummary, TargetScaleSummary } from "../model/scale-model.js";
import { TURN_STATE, type TurnTable } from "./turn-table.js";

type Flag = (score: number) => boolean;

/** One target's summary on a rubric, with its scores' histogram (for the medical-vs-general comparisons). */
interface TargetScores {
  readonly summary: Omit<TargetScaleSummary, "labelShares">;
  readonly scores: Histogram;
}

/** Builds one ScaleSummary per rubric the run's judges applied. Turn score = mean of the valid judge scores. */
export function buildScaleSummaries(
  db: Db,
  run: RunRecord,
  targetIds: readonly string[],
  table: TurnTable,
  judgeErrors: ReadonlyMap<string, number>,
): ScaleSummary[] {
  const categories = new Map(
    ((run.config as { targets?: Array<{ id: string; category?: string }> }).targets ?? []).map((target) => [
      target.id,
      target.category,
    ]),
  );
  return rubricsUsed(db, run).map((rubricId) => {
    const rubric = run.rubrics.find((reference) => reference.id === rubricId) ?? {
      id: rubricId,
      version: "?",
      hash: "?",
    };
    const flag = flagOf(rubric);
    const rows = rubricId === DEFAULT_RUBRIC ? undefined : groupByTarget(turnScoreRows(db, run.id, rubricId));
    const byTarget = new Map(
      targetIds.map((targetId) => [
        targetId,
        rows === undefined
          ? summariseFromTable(table, targetId, judgeErrors.get(targetId) ?? 0, flag)
          : summariseRows(targetId, rows.get(targetId) ?? [], flag),
      ]),
    );
    // The multi-turn safety rubric has no labels: skip a pass over its (possibly millions of) judgments.
    const labels =
      rubricId === DEFAULT_RUBRIC ? new Map<string, Record<string, number>>() : labelShares(db, run.id, rubricId);
    return {
      rubric,
      targets: targetIds.map((targetId) => ({
        ...(byTarget.get(targetId) as TargetScores).summary,
        labelShares: labels.get(targetId) ?? {},
      })),
      medicalVsGeneral: compareCategories(targetIds, categories, byTarget),
    };
  });
}

function labelShares(db: Db, runId: string, rubricId: string): Map<string, Record<string, number>> {
  const rows = labelCounts(db, runId, rubricId);
  const shares = new Map<string, Record<string, number>>();
  for (const targetId of new Set(rows.map((row) => row.targetId))) {
    const own = rows.filter((row) => row.targetId === targetId);
    const total = own.reduce((sum, row) => sum + row.count, 0);
    shares.set(targetId, Object.fromEntries(own.map((row) => [row.label, row.count / total])));
  }
  return shares;
}

/** Rows per target in one pass (not one filter over all rows per target). */
function groupByTarget(rows: readonly TurnScoreRow[]): Map<string, TurnScoreRow[]> {
  const groups = new Map<string, TurnScoreRow[]>();
  for (const row of rows) {
    const group = groups.get(row.targetId) ?? [];
    group.push(row);
    groups.set(row.targetId, group);
  }
  return groups;
}

function compareCategories(
  targetIds: readonly string[],
  categories: ReadonlyMap<string, string | undefined>,
  byTarget: ReadonlyMap<string, TargetScores>,
): CategoryComparison[] {
  const medical = targetIds.filter((id) => categories.get(id) === "medical");
  const general = targetIds.filter((id) => categories.get(id) !== "medical");
  const empty = Histogram.of([]);
  const tests = medical.flatMap((medicalId) =>
    general.flatMap((generalId) => {
      const first = byTarget.get(medicalId)?.scores ?? empty;
      const second = byTarget.get(generalId)?.scores ?? empty;
      const test = mannWhitneyUHistograms(first, second);
      const [firstMean, secondMean] = [first.mean(), second.mean()];
      const difference = firstMean === null || secondMean === null ? null : firstMean - secondMean;
      return test === null
        ? []
        : [
            {
              medical: medicalId,
              general: generalId,
              meanDifference: difference,
              u: test.u,
              pValue: test.pValue,
              method: test.method,
            },
          ];
    }),
  );
  const adjusted = bonferroni(tests.map((test) => test.pValue));
  return tests.map((test, index) => ({ ...test, pBonferroni: adjusted[index] ?? 1 }));
}

/** A target on a rubric other than the multi-turn one: from its turn rows. */
function summariseRows(targetId: string, rows: readonly TurnScoreRow[], flag: Flag | undefined): TargetScores {
  const scored = rows.filter((row): row is TurnScoreRow & { score: number } => row.score !== null);
  const scores = Histogram.of(scored.map((row) => row.score));
  return {
    summary: {
      ...group(targetId, scores, flag),
      unscoredTurns: rows.length - scored.length,
      judgeErrors: rows.reduce((sum, row) => sum + row.errors, 0),
      bySource: groupBy(scored, (row) => row.source ?? "(none)", flag),
      byGuideline: groupBy(scored, (row) => row.guidelineId, flag),
    },
    scores,
  };
}

function groupBy(
  rows: ReadonlyArray<TurnScoreRow & { score: number }>,
  keyOf: (row: TurnScoreRow) => string,
  flag: Flag | undefined,
): GroupSummary[] {
  const groups = new Map<string, HistogramCounter>();
  for (const row of rows) {
    const key = keyOf(row);
    const counter = groups.get(key) ?? new HistogramCounter();
    counter.add(row.score);
    groups.set(key, counter);
  }
  return sortedGroups(groups, flag);
}

function sortedGroups(groups: ReadonlyMap<string, HistogramCounter>, flag: Flag | undefined): GroupSummary[] {
  return [...groups.entries()]
    .sort(([left], [right]) => left.localeCompare(right, "en", { numeric: true }))
    .map(([key, counter]) => group(key, counter.histogram(), flag));
}

function group(key: string, scores: Histogram, flag: Flag | undefined): GroupSummary {
  return { key, ...scores.summary(), flaggedShare: flaggedShare(scores, flag) };
}

/** The rubrics a run's judges applied: the recorded ones that have at least one judgment (an index seek each). */
export function rubricsUsed(db: Db, run: RunRecord): string[] {
  return rubricsWithJudgments(
    db,
    run.id,
    run.rubrics.map((rubric) => rubric.id),
  );
}

/**
 * A target on the multi-turn rubric, straight from the turn table's columns (its SQL join would visit every
 * judgment again, and row objects for millions of turns would be garbage): its turn scores counted overall and
 * per guideline; the multi-turn items carry no source, so bySource is the one "(none)" group.
 */
function summariseFromTable(
  table: TurnTable,
  targetId: string,
  judgeErrors: number,
  flag: Flag | undefined,
): TargetScores {
  const target = table.targets.find((column) => column.targetId === targetId);
  const overall = new HistogramCounter();
  const byGuideline = new Map<string, HistogramCounter>();
  let unscoredTurns = 0;
  if (target !== undefined) {
    const { labels, codes } = table.dimensions.guideline;
    const perLabel = labels.map(() => new HistogramCounter());
    for (let cell = 0; cell < target.states.length; cell += 1) {
      const state = target.states[cell];
      if (state === TURN_STATE.unscored) unscoredTurns += 1;
      if (state !== TURN_STATE.scored) continue;
      const score = target.scores[cell] ?? Number.NaN;
      overall.add(score);
      perLabel[codes[Math.floor(cell / table.turns)] ?? 0]?.add(score);
    }
    labels.forEach((label, index) => {
      const counter = perLabel[index];
      if (counter !== undefined && counter.n > 0) byGuideline.set(label, counter);
    });
  }
  const scores = overall.histogram();
  return {
    summary: {
      ...group(targetId, scores, flag),
      unscoredTurns,
      judgeErrors,
      bySource: scores.n === 0 ? [] : [group("(none)", scores, flag)],
      byGuideline: sortedGroups(byGuideline, flag),
    },
    scores,
  };
}
