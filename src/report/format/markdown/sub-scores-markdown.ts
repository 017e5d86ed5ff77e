import type { Lang } from "../../messages/labels.js";
import { subScoreMessagesFor } from "../../messages/sub-scores.js";
import type { RunReport } from "../../model/report-model.js";
import { subScoreNotes, subScoreTables } from "../sub-scores-text.js";

/** What the Markdown formatter lends this section: its table, number and escaping rules. */
export interface SubScoreMarkdownTools {
  readonly table: (
    head: readonly string[],
    rows: ReadonlyArray<readonly string[]>,
    align: readonly ("l" | "r")[],
  ) => string;
  readonly num: (value: number | null | undefined, digits?: number) => string;
  /** Text from the data (target ids, rubric ids), Markdown punctuation escaped. */
  readonly escape: (text: string) => string;
}

/**
 * The sub-score section of the Markdown report (decision 0028): per rubric with sub-scores, a table of each
 * sub-score's mean (n) per target and turn. Nothing when no rubric of the run declares sub-scores.
 */
export function subScoreMarkdownBlocks(report: RunReport, lang: Lang, tools: SubScoreMarkdownTools): string[] {
  const sections = report.subScores;
  if (sections === undefined || sections.length === 0) return [];
  const { t } = subScoreMessagesFor(lang);
  return [
    `## ${t("subScores")}`,
    ...subScoreNotes(sections, lang),
    ...subScoreTables(sections, lang, tools.num).flatMap((textTable) => [
      `### ${tools.escape(textTable.heading)}`,
      tools.table(
        textTable.head.map(tools.escape),
        textTable.rows.map(([target, ...rest]) => [tools.escape(target ?? ""), ...rest]),
        textTable.head.map((_, index) => (index === 0 ? "l" : "r")),
      ),
    ]),
  ];
}
