/**
 * The paper-figure sections of the Markdown report (decision 0026): models and scaling, turn scores per strategy,
 * and Safety Pass Rate vs utility, as the tables behind the HTML report's figures. The Markdown report lends its
 * table and escaping helpers, so every cell is escaped as the rest of the report's.
 */
import type { Lang } from "../../messages/labels.js";
import { paperFigureMessagesFor } from "../../messages/paper-figures.js";
import type { RunReport } from "../../model/report-model.js";
import { safetyUtilityTable, scalingTables, type TextTable } from "../scaling-text.js";
import { strategyBoxTables } from "../strategy-box-text.js";

type Align = "l" | "r";

/** The Markdown report's own helpers: a GFM table and the escaping of data text. */
export interface MarkdownTools {
  readonly table: (head: readonly string[], rows: ReadonlyArray<readonly string[]>, align?: readonly Align[]) => string;
  readonly escape: (text: string) => string;
}

function blocks(tables: readonly TextTable[], tools: MarkdownTools): string[] {
  return tables.flatMap((table) => {
    const align = table.head.map((_, index): Align => (index < table.textColumns ? "l" : "r"));
    const rows = table.rows.map((row) =>
      row.map((cell, index) => (index < table.textColumns ? tools.escape(cell) : cell)),
    );
    return [
      `### ${table.title}`,
      ...(table.note === undefined ? [] : [table.note]),
      rows.length === 0 && table.empty !== undefined ? table.empty : tools.table(table.head, rows, align),
    ];
  });
}

/** "Models and scaling" (always: the models' metadata) and "Turn scores per strategy" (with multi-turn items). */
export function scalingMarkdown(report: RunReport, lang: Lang, tools: MarkdownTools): string[] {
  if (report.models === undefined) return [];
  const { t } = paperFigureMessagesFor(lang);
  const sections = [`## ${t("scaling")}`, ...blocks(scalingTables(report, lang), tools)];
  if (report.strategyBoxes !== undefined)
    sections.push(`## ${t("strategyBoxes")}`, ...blocks(strategyBoxTables(report.strategyBoxes, lang), tools));
  return sections;
}

/** "Safety Pass Rate vs utility" per model (absent from a report made before it existed). */
export function safetyUtilityMarkdown(report: RunReport, lang: Lang, tools: MarkdownTools): string[] {
  if (report.safetyUtility === undefined || report.safetyUtility.length === 0) return [];
  const table = safetyUtilityTable(report.safetyUtility, lang);
  return [`## ${table.title}`, ...blocks([{ ...table, title: "" }], tools).slice(1)];
}
