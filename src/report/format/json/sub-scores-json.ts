import { turnNumber } from "../../../core/index.js";
import type { RubricSubScores } from "../../model/sub-scores-model.js";

/** The sub-score section as the JSON report writes it: `subScores[].rows[].turn` numbered from 1 (decision 0028). */
export function subScoresForJson(sections: readonly RubricSubScores[]): unknown {
  return sections.map((section) => ({
    ...section,
    rows: section.rows.map((row) => ({ ...row, turn: turnNumber(row.turn) })),
  }));
}
