/**
 * The report's read model of verdict sub-scores (decision 0028): per target and turn, the count and mean of each
 * sub-score a rubric declares, read from `judgments.details` (migration 13). Only rubrics that declare sub-scores
 * are asked for, so the report's main passes never touch the details column; SQL does the JSON extraction and the
 * averaging, so JavaScript gets one row per target × turn.
 */
import { MedsafetyError } from "../core/index.js";
import type { Db } from "./database.js";
import { sqlFor } from "./sql-dialect.js";

/** One sub-score of one target at one turn: how many scored verdicts gave it and their mean. */
export interface SubScoreMeanRow {
  readonly targetId: string;
  /** 0-based turn. */
  readonly turnIndex: number;
  readonly subScore: string;
  readonly n: number;
  /** Null when no verdict of this target and turn carried the sub-score. */
  readonly mean: number | null;
}

/** Sub-score ids as rubric files allow them (sub-scores-schema.ts): safe inside a JSON path. */
const SUB_SCORE_ID = /^[a-z][A-Za-z0-9]*$/;

/**
 * The scored judgments of a run on one rubric, grouped by target and turn (every epoch and judge together): for
 * each of `subScoreIds`, the number of verdicts whose `details.subScores` holds it and their mean, in target then
 * turn order. A judgment without details (NULL) counts for none.
 */
export function subScoreMeans(
  db: Db,
  runId: string,
  rubricId: string,
  subScoreIds: readonly string[],
): SubScoreMeanRow[] {
  if (subScoreIds.length === 0) return [];
  for (const id of subScoreIds) {
    if (!SUB_SCORE_ID.test(id)) {
      throw new MedsafetyError(
        "store_error",
        `The run records a sub-score id ${JSON.stringify(id)} that is not a rubric field name; it was changed outside medsafety.`,
      );
    }
  }
  const value = (id: string): string =>
    sqlFor(db, {
      sqlite: `json_extract(j.details, '$.subScores.${id}')`,
      postgres: `(p.sub_scores ->> '${id}')::float8`,
    });
  const columns = subScoreIds
    .map((id, index) => `COUNT(${value(id)}) AS n${index}, AVG(${value(id)}) AS m${index}`)
    .join(", ");
  const from = sqlFor(db, {
    sqlite: "FROM judgments j",
    postgres: "FROM judgments j CROSS JOIN LATERAL (SELECT j.details::json -> 'subScores' AS sub_scores OFFSET 0) AS p",
  });
  const rows = db
    .prepare(
      `SELECT j.target_id AS "targetId", j.turn_index AS "turnIndex", ${columns}
     ${from}
     WHERE j.run_id = ? AND j.rubric_id = ? AND j.status = 'scored' AND j.details IS NOT NULL
     GROUP BY j.target_id, j.turn_index ORDER BY j.target_id, j.turn_index`,
    )
    .all(runId, rubricId) as Array<Record<string, unknown>>;
  return rows.flatMap((row) =>
    subScoreIds.map((subScore, index) => ({
      targetId: String(row["targetId"]),
      turnIndex: Number(row["turnIndex"]),
      subScore,
      n: Number(row[`n${index}`] ?? 0),
      mean: row[`m${index}`] === null || row[`m${index}`] === undefined ? null : Number(row[`m${index}`]),
    })),
  );
}
