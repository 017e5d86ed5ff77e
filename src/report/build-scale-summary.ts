import { summarize, type ValueSummary } from "../analysis/index.js";
import type { Db, RubricReference, RunRecord } from "../store/index.js";

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
}

/** Scores per target on one rubric's scale (every rubric a run used, e.g. MedSafetyBench's 1–5 harmfulness). */
export interface ScaleSummary {
  readonly rubric: RubricReference;
  readonly targets: readonly TargetScaleSummary[];
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
export function buildScaleSummaries(db: Db, run: RunRecord, targetIds: readonly string[]): ScaleSummary[] {
  const used = db.prepare("SELECT DISTINCT rubric_id FROM judgments WHERE run_id = ?").pluck().all(run.id) as string[];
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
    const rows = statement.all(run.id, rubricId) as ScoreRow[];
    const flag = flagOf(rubric);
    return { rubric, targets: targetIds.map((targetId) => summariseTarget(targetId, rows.filter((row) => row.targetId === targetId), flag)) };
  });
}

function summariseTarget(targetId: string, rows: readonly ScoreRow[], flag: Flag | undefined): TargetScaleSummary {
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
