import type { Lang } from "../../messages/labels.js";
import { pooledMessagesFor } from "../../messages/pooled.js";
import type { RunReport } from "../../model/report-model.js";
import {
  type NumberText,
  pooledRowsTable,
  pooledScoresTable,
  pooledTestNotes,
  pooledTestsTable,
  protocolNotes,
  type TextTable,
} from "../pooled-text.js";

/** What the Markdown formatter lends this section: its table, number and escaping rules. */
export interface MarkdownTools extends NumberText {
  readonly table: (
    head: readonly string[],
    rows: ReadonlyArray<readonly string[]>,
    align: readonly ("l" | "r")[],
  ) => string;
  /** Text from the data (category names), Markdown punctuation escaped. */
  readonly escape: (text: string) => string;
}

/**
 * The pooled section of the Markdown report (decision 0024): the rows (all models, each category), their per-turn
 * scores, their turn tests with the Bonferroni family and m, and the protocol choices the report makes.
 */
export function pooledMarkdownBlocks(report: RunReport, lang: Lang, tools: MarkdownTools): string[] {
  const { t } = pooledMessagesFor(lang);
  const heading = `## ${t("pooled")}`;
  const { pooled } = report;
  if (pooled === undefined) return [heading, t("noPooled")];
  const render = (textTable: TextTable, textColumns: number): string => {
    const rows = textTable.rows.map(([first, ...rest]) => [tools.escape(first ?? ""), ...rest]);
    return tools.table(
      textTable.head,
      rows,
      textTable.head.map((_, index) => (index < textColumns ? "l" : "r")),
    );
  };
  return [
    heading,
    t("pooledNote"),
    render(pooledRowsTable(pooled, t), 1),
    `### ${t("scores")}`,
    render(pooledScoresTable(pooled, t, tools), 1),
    `### ${t("tests")}`,
    render(pooledTestsTable(pooled, t, tools), 2),
    ...pooledTestNotes(pooled, lang, tools).map((note) => `- ${tools.escape(note)}`),
    `### ${t("protocol")}`,
    ...protocolNotes(pooled, lang).map((note) => `- ${note}`),
  ];
}
