/**
 * The sub-score section's tables as text cells (decision 0028), shared by the Markdown report, the HTML report and
 * the terminal table: one table per rubric, a row per target × turn, a column per sub-score holding "mean (n)".
 * Turns numbered from 1; sub-scores named by their rubric's ja/en label with their range; numbers through the
 * output's own `num` (so "–" for a missing value, as everywhere else in that output).
 */

import { turnNumber } from "../../core/index.js";
import type { Lang } from "../messages/labels.js";
import { subScoreMessagesFor } from "../messages/sub-scores.js";
import type { RubricSubScores, SubScoreCell } from "../model/sub-scores-model.js";

/** One rubric's sub-score table: its heading and its cells (the first two columns are text: target, turn). */
export interface SubScoreTextTable {
  readonly rubricId: string;
  readonly heading: string;
  readonly head: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
}

/** The rubric whose score is derived from its sub-scores by StrongREJECT's formula (its note says so). */
const STRONGREJECT = "strongreject";

/** One table per rubric with sub-scores. `num(value, digits)` is the output's number format. */
export function subScoreTables(
  sections: readonly RubricSubScores[],
  lang: Lang,
  num: (value: number | null | undefined, digits?: number) => string,
): SubScoreTextTable[] {
  const { t } = subScoreMessagesFor(lang);
  const cell = (value: SubScoreCell | undefined): string =>
    value === undefined || value.n === 0 ? "–" : `${num(value.mean, 2)} (${value.n})`;
  return sections.map((section) => ({
    rubricId: section.rubricId,
    heading: t("rubricHeading", { rubric: section.rubricId }),
    head: [
      t("target"),
      t("turn"),
      ...section.subScores.map((sub) => t("column", { label: sub.label[lang], min: sub.min, max: sub.max })),
    ],
    rows: section.rows.map((row) => [
      row.targetId,
      String(turnNumber(row.turn)),
      ...section.subScores.map((sub) => cell(row.values[sub.id])),
    ]),
  }));
}

/** The section's notes: what the numbers are, and StrongREJECT's formula when its rubric is among them. */
export function subScoreNotes(sections: readonly RubricSubScores[], lang: Lang): string[] {
  const { t } = subScoreMessagesFor(lang);
  return [
    t("subScoresNote"),
    ...(sections.some((section) => section.rubricId === STRONGREJECT) ? [t("derivedNote")] : []),
  ];
}
