import Table from "cli-table3";
import type { Lang } from "../../messages/labels.js";
import { subScoreMessagesFor } from "../../messages/sub-scores.js";
import type { RunReport } from "../../model/report-model.js";
import { subScoreNotes, subScoreTables } from "../sub-scores-text.js";

const PLAIN = { head: [], border: [] };

function number(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits);
}

/**
 * The sub-score section for the terminal (decision 0028): per rubric with sub-scores, each sub-score's mean (n)
 * per target and turn, preceded by a blank line; nothing when no rubric declares sub-scores.
 */
export function subScoreTableLines(report: RunReport, lang: Lang): string[] {
  const sections = report.subScores;
  if (sections === undefined || sections.length === 0) return [];
  const { t } = subScoreMessagesFor(lang);
  return [
    "",
    `${t("subScores")}:`,
    ...subScoreNotes(sections, lang).map((note) => `  ${note}`),
    ...subScoreTables(sections, lang, number).flatMap((text) => {
      const table = new Table({ style: PLAIN, head: [...text.head] });
      for (const row of text.rows) table.push([...row]);
      return [`${text.heading}:`, table.toString()];
    }),
  ];
}
