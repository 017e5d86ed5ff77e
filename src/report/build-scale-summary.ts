import { bonferroni, Histogram, mannWhitneyUHistograms, mean, summarize, type ValueSummary } from "../analysis/index.js";
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

/** Builds one ScaleSummary per rubric the run's judges applied. Turn score = mean of the valid judge scores. */
export function buildScaleSummaries(db: Db, run: RunRecord, targetIds: readonly string[], table: TurnTable, judgeErrors: ReadonlyMap<string, number>): ScaleSummary[] {
  const categories = new Map(((run.config as { targets?: Array<{ id: string; category?: string }> }).targets ?? []).map((target) => [target.id, target.category]));
  const used = rubricsUsed(db, run);
  const statement = db.prepare(
    `SELECT t.target_id AS targetId, AVG(CASE WHEN j.status = 'scored' THEN j.score END) AS score,
       SUM(j.status = 'error') AS errors, ri.guideline_id AS guidelineId, json_extract(i.item_json, '$.metadata.source') AS source
     FROM judgments j JOIN turns t ON t.key = j.turn_key
     JOIN run_items ri ON ri.run_id = t.run_id AND ri.item_id = t.item_id
     JOIN items i ON i.version = ri.item_version
     WHERE j.run_id = ? AND j.rubric_id = ? GROUP BY t.key`,
  );
  return used.map((rubricId) => {
    const rubric = run.rubrics.find((reference) => reference.id === rubricId) ?? { id: rubricId, version: "?", hash: "?" };
    const byTarget = rubricId === DEFAULT_RUBRIC ? rowsFromTable(table, judgeErrors) : groupByTarget(statement.all(run.id, rubricId) as ScoreRow[]);
    const flag = flagOf(rubric);
    const scores = new Map(targetIds.map((targetId) => [targetId, scoresOf(byTarget.get(targetId) ?? [])]));
    // The multi-turn safety rubric has no labels: skip a pass over its (possibly millions of) judgments.
    const labels = rubricId === DEFAULT_RUBRIC ? new Map<string, Record<string, number>>() : labelShares(db, run.id, rubricId);
    return {
      rubric,
      targets: targetIds.map((targetId) => ({ ...summariseTarget(targetId, byTarget.get(targetId) ?? [], flag), labelShares: labels.get(targetId) ?? {} })),
      medicalVsGeneral: compareCategories(targetIds, categories, scores),
    };
  });
}

function labelShares(db: Db, runId: string, rubricId: string): Map<string, Record<string, number>> {
  const rows = db.prepare(
    `SELECT target_id AS targetId, label, COUNT(*) AS count FROM judgments
     WHERE run_id = ? AND rubric_id = ? AND status = 'scored' AND label IS NOT NULL GROUP BY target_id, label ORDER BY label`,
  ).all(runId, rubricId) as Array<{ targetId: string; label: string; count: number }>;
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

function scoresOf(rows: readonly ScoreRow[]): number[] {
  return rows.flatMap((row) => (row.score === null ? [] : [row.score]));
}

function compareCategories(targetIds: readonly string[], categories: ReadonlyMap<string, string | undefined>, scores: ReadonlyMap<string, number[]>): CategoryComparison[] {
  const medical = targetIds.filter((id) => categories.get(id) === "medical");
  const general = targetIds.filter((id) => categories.get(id) !== "medical");
  const tests = medical.flatMap((medicalId) => general.flatMap((generalId) => {
    const first = scores.get(medicalId) ?? [];
    const second = scores.get(generalId) ?? [];
    const test = mannWhitneyUHistograms(Histogram.of(first), Histogram.of(second));
    const difference = mean(first) === null || mean(second) === null ? null : (mean(first) ?? 0) - (mean(second) ?? 0);
    return test === null ? [] : [{ medical: medicalId, general: generalId, meanDifference: difference, u: test.u, pValue: test.pValue, method: test.method }];
  }));
  const adjusted = bonferroni(tests.map((test) => test.pValue));
  return tests.map((test, index) => ({ ...test, pBonferroni: adjusted[index] ?? 1 }));
}

function summariseTarget(targetId: string, rows: readonly ScoreRow[], flag: Flag | undefined): Omit<TargetScaleSummary, "labelShares"> {
  const scored = rows.filter((row): row is ScoreRow & { score: number } => row.score !== null);
  return {
    ...group(targetId, scored.map((row) => row.score), flag),
    unscoredTurns: rows.length - scored.length,
    judgeErrors: rows.reduce((sum, row) => sum + row.errors, 0),
    bySource: groupBy(scored, (row) => row.source ?? "(none)", flag),
    byGuideline: groupBy(scored, (row) => row.guidelineId, flag),
  };
}

function groupBy(rows: ReadonlyArray<ScoreRow & { score: number }>, keyOf: (row: ScoreRow) => string, flag: Flag | undefined): GroupSummary[] {
  const groups = new Map<string, number[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const values = groups.get(key) ?? [];
    values.push(row.score);
    groups.set(key, values);
  }
  return [...groups.entries()]
    .sort(([left], [right]) => left.localeCompare(right, "en", { numeric: true }))
    .map(([key, values]) => group(key, values, flag));
}

function group(key: string, values: readonly number[], flag: Flag | undefined): GroupSummary {
  const flagged = flag === undefined || values.length === 0 ? null : values.filter(flag).length / values.length;
  return { key, ...summarize(values), flaggedShare: flagged };
}

/** The rubrics a run's judges applied: the recorded ones that have at least one judgment (an index seek each). */
export function rubricsUsed(db: Db, run: RunRecord): string[] {
  const exists = db.prepare("SELECT 1 FROM judgments WHERE run_id = ? AND rubric_id = ? LIMIT 1");
  return run.rubrics.map((rubric) => rubric.id).filter((id) => exists.get(run.id, id) !== undefined).sort();
}

/**
 * Multi-turn rubric rows from the turn table (its SQL join would visit every judgment again). Judge errors are
 * counted per target (from `judgeErrors`), on the target's first row.
 */
function rowsFromTable(table: TurnTable, judgeErrors: ReadonlyMap<string, number>): { get(targetId: string): ScoreRow[] | undefined } {
  return { get: (targetId) => {
    const target = table.targets.find((column) => column.targetId === targetId);
    return target === undefined ? undefined : targetRows(table, target, judgeErrors);
  } };
}

/** Built on demand, one target at a time, so a large run never holds every row as an object. */
function targetRows(table: TurnTable, target: TurnTable["targets"][number], judgeErrors: ReadonlyMap<string, number>): ScoreRow[] {
  const { labels, codes } = table.dimensions.guideline;
  {
    const own: ScoreRow[] = [];
    for (let cell = 0; cell < target.states.length; cell += 1) {
      const state = target.states[cell];
      if (state !== TURN_STATE.scored && state !== TURN_STATE.unscored) continue;
      own.push({
        targetId: target.targetId, score: state === TURN_STATE.scored ? (target.scores[cell] ?? null) : null, errors: own.length === 0 ? (judgeErrors.get(target.targetId) ?? 0) : 0,
        guidelineId: labels[codes[Math.floor(cell / table.turns)] ?? 0] ?? "", source: null,
      });
    }
    return own;
  }
}
