import { type Db, type RunRecord, subScoreMeans } from "../../store/index.js";
import type { RubricSubScores, SubScoreCell, SubScoreTurnRow } from "../model/sub-scores-model.js";
import { rubricsUsed } from "./build-scale-summary.js";

/**
 * The report's sub-score section (decision 0028): for each rubric the run used that declares sub-scores, the mean
 * and n of each per target and turn, over all judges and epochs. Reads `judgments.details` only for those rubrics
 * (one grouped query each, `subScoreMeans`), so runs without them pay nothing. Undefined when no rubric applies.
 */
export function buildSubScores(
  db: Db,
  run: RunRecord,
  targetIds: readonly string[],
): { readonly subScores: readonly RubricSubScores[] } | undefined {
  const declaring = run.rubrics.filter((rubric) => (rubric.subScores?.length ?? 0) > 0);
  if (declaring.length === 0) return undefined;
  const used = new Set(rubricsUsed(db, run));
  const sections = declaring
    .filter((rubric) => used.has(rubric.id))
    .map((rubric): RubricSubScores => {
      const subScores = rubric.subScores ?? [];
      const ids = subScores.map((sub) => sub.id);
      const rows = new Map<string, { targetId: string; turn: number; values: Record<string, SubScoreCell> }>();
      for (const row of subScoreMeans(db, run.id, rubric.id, ids)) {
        const key = `${row.targetId}\u0000${row.turnIndex}`;
        const entry = rows.get(key) ?? { targetId: row.targetId, turn: row.turnIndex, values: {} };
        entry.values[row.subScore] = { n: row.n, mean: row.mean };
        rows.set(key, entry);
      }
      return { rubricId: rubric.id, subScores, rows: ordered([...rows.values()], targetIds) };
    });
  return sections.length === 0 ? undefined : { subScores: sections };
}

/** Rows in the run's target order (a target the config no longer lists after them, by id), then by turn. */
function ordered(rows: SubScoreTurnRow[], targetIds: readonly string[]): SubScoreTurnRow[] {
  const position = (targetId: string): number => {
    const index = targetIds.indexOf(targetId);
    return index === -1 ? targetIds.length : index;
  };
  return rows.sort(
    (a, b) => position(a.targetId) - position(b.targetId) || a.targetId.localeCompare(b.targetId) || a.turn - b.turn,
  );
}
