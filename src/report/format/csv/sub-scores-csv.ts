import { turnNumber } from "../../../core/index.js";
import type { RubricSubScores } from "../../model/sub-scores-model.js";

/** A CSV report row as format-csv.ts writes it (the same keys). */
export interface SubScoreCsvRow {
  readonly section: string;
  readonly rubric: string;
  readonly target: string;
  readonly dimension: string;
  readonly group: string;
  readonly turn: number;
  readonly metric: string;
  readonly value: number | null;
}

/**
 * The sub-score section (decision 0028): section `sub_score`, `rubric` the rubric, `target` the target, dimension
 * `sub_score` with the sub-score's id in `group`, `turn` from 1, metrics `mean` (empty when none) and `n`.
 */
export function subScoreCsvRows(sections: readonly RubricSubScores[] | undefined): SubScoreCsvRow[] {
  return (sections ?? []).flatMap((section) =>
    section.rows.flatMap((row) =>
      section.subScores.flatMap((sub) => {
        const cell = row.values[sub.id];
        const keys = {
          section: "sub_score",
          rubric: section.rubricId,
          target: row.targetId,
          dimension: "sub_score",
          group: sub.id,
          turn: turnNumber(row.turn),
        };
        return [
          { ...keys, metric: "mean", value: cell?.mean ?? null },
          { ...keys, metric: "n", value: cell?.n ?? 0 },
        ];
      }),
    ),
  );
}
