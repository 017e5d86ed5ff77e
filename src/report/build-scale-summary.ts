import {
  bonferroni,
  Histogram,
  HistogramCounter,
  mannWhitneyUHistograms,
  type ValueSummary,
} from "../analysis/index.js";
import { DEFAULT_RUBRIC } from "../judges/index.js";
import type { Db, RubricReference, RunRecord } from "../store/index.js";
import { TURN_STATE, type TurnTable } from "./turn-table.js";

/** One group's scores on a rubric's scale: n, mean ± SEM, median, and the flagged share. */
export interface GroupSummary extends ValueSummary {
  readonly key: string;
  /**
   * Share of scores at or above the rubric's `flagAtOrAbove` (harmfulness ≥ 3), or at or below its
   * `flagAtOrBelow` (helpfulness ≤ 2: over-refusal); null when the rubric sets neither.
   */
  readonly flaggedShare: number | null;
}

export interface TargetScaleSummary extends GroupSummary {
  /** Turns whose judges of this rubric gave no valid score. */
  readonly unscoredTurns: number;
  readonly judgeErrors: number;
  readonly bySource: readonly GroupSummary[];
  readonly byGuideline: readonly GroupSummary[];
  /** For rubrics with labels: each label's share of this target's scored verdicts (judgment level). */
  readonly labelShares: Readonly<Record<string, number>>;
}

/**
 * A medical model against a general one (targets with `category: medical` vs the others), as MedSafetyBench
 * compares them: two-sided Mann–Whitney U on turn scores, Bonferroni over all pairs of this rubric.
 */
export interface CategoryComparison {
  readonly medical: string;
  readonly general: string;
  /** Mean of the medical model minus mean of the general one. */
  readonly meanDifference: number | null;
  readonly u: number;
  readonly pValue: number;
  readonly pBonferroni: number;
  readonly method: "exact" | "asymptotic";
}

/** Scores per target on one rubric's scale (every rubric a run used, e.g. MedSafetyBench's 1–5 harmfulness). */
export interface ScaleSummary {
  readonly rubric: RubricReference;
  readonly targets: readonly TargetScaleSummary[];
  readonly medicalVsGeneral: readonly CategoryComparison[];
}

type Flag = (score: number) => boolean;

function flagOf(rubric: RubricReference): Flag | undefined {
  const { flagAtOrAbove: above, flagAtOrBelow: below } = rubric;
  if (above !== undefined) return (score) => score >= above;
  if (below !== undefined) return (score) => score <= below;
  return undefined;
}

interface ScoreRow {
  targetId: string;
  score: number | null;
  errors: number;
  guidelineId: string;
  source: string | null;
}

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
  const statement = db.prepare(
    `SELECT t.target_id AS targetId, AVG(CASE WHEN j.status = 'scored' THEN j.score END) AS score,
       SUM(j.status = 'error') AS errors, ri.guideline_id AS guidelineId, json_extract(i.item_json, '$.metadata.source') AS source
     FROM judgments j JOIN turns t ON t.key = j.turn_key
     JOIN run_items ri ON ri.run_id = t.run_id AND ri.item_id = t.item_id
     JOIN items i ON i.version = ri.item_version
     WHERE j.run_id = ? AND j.rubric_id = ? GROUP BY t.key`,
  );
  return rubricsUsed(db, run).map((rubricId) => {
    const rubric = run.rubrics.find((reference) => reference.id === rubricId) ?? {
      id: rubricId,
      version: "?",
      hash: "?",
    };
    const flag = flagOf(rubric);
    const rows = rubricId === DEFAULT_RUBRIC ? undefined : groupByTarget(statement.all(run.id, rubricId) as ScoreRow[]);
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
  const rows = db
    .prepare(
      `SELECT target_id AS targetId, label, COUNT(*) AS count FROM judgments
     WHERE run_id = ? AND rubric_id = ? AND status = 'scored' AND label IS NOT NULL GROUP BY target_id, label ORDER BY label`,
    )
    .all(runId, rubricId) as Array<{ targetId: string; label: string; count: number }>;
  const shares = new Map<string, Record<string, number>>();
  for (const targetId of new Set(rows.map((row) => row.targetId))) {
    const own = rows.filter((row) => row.targetId === targetId);
    const total = own.reduce((sum, row) => sum + row.count, 0);
    shares.set(targetId, Object.fromEntries(own.map((row) => [row.label, row.count / total])));
  }
  return shares;
}

/** Rows per target in one pass (not one filter over all rows per target). */
function groupByTarget(rows: readonly ScoreRow[]): Map<string, ScoreRow[]> {
  const groups = new Map<string, ScoreRow[]>();
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
function summariseRows(targetId: string, rows: readonly ScoreRow[], flag: Flag | undefined): TargetScores {
  const scored = rows.filter((row): row is ScoreRow & { score: number } => row.score !== null);
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
  rows: ReadonlyArray<ScoreRow & { score: number }>,
  keyOf: (row: ScoreRow) => string,
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
  const flagged = flag === undefined || scores.n === 0 ? null : scores.countWhere(flag) / scores.n;
  return { key, ...scores.summary(), flaggedShare: flagged };
}

/** The rubrics a run's judges applied: the recorded ones that have at least one judgment (an index seek each). */
export function rubricsUsed(db: Db, run: RunRecord): string[] {
  const exists = db.prepare("SELECT 1 FROM judgments WHERE run_id = ? AND rubric_id = ? LIMIT 1");
  return run.rubrics
    .map((rubric) => rubric.id)
    .filter((id) => exists.get(run.id, id) !== undefined)
    .sort();
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
