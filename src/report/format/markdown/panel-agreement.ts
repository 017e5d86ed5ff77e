import type { Lang } from "../../messages/labels.js";
import { panelMessagesFor } from "../../messages/panel-agreement.js";
import type { RunReport } from "../../model/report-model.js";
import { type PanelNumber, type PanelTextTable, panelMembersTable, panelPairsTable } from "../panel-agreement-text.js";

/** What the Markdown formatter lends this section: its table, number and escaping rules. */
export interface PanelMarkdownTools {
  readonly table: (
    head: readonly string[],
    rows: ReadonlyArray<readonly string[]>,
    align: readonly ("l" | "r")[],
  ) => string;
  readonly num: PanelNumber;
  /** Text from the data (judge and rubric ids), Markdown punctuation escaped. */
  readonly escape: (text: string) => string;
}

/**
 * The judge panel across rubrics (decision 0029) in the Markdown report: how the scores are put on a common scale,
 * the members and every pair's counts, agreement, Cohen's kappa and Spearman's rho. Nothing when the panel has one
 * rubric (the within-rubric agreement covers it).
 */
export function panelAgreementMarkdown(report: RunReport, lang: Lang, tools: PanelMarkdownTools): string[] {
  const panel = report.panelAgreement;
  if (panel === undefined) return [];
  const { t } = panelMessagesFor(lang);
  const render = (textTable: PanelTextTable, textColumns: number): string =>
    tools.table(
      textTable.head,
      textTable.rows.map((row) => row.map((cell, index) => (index < 2 ? tools.escape(cell) : cell))),
      textTable.head.map((_, index) => (index < textColumns ? "l" : "r")),
    );
  return [
    `## ${t("panel")}`,
    t("panelNote", { threshold: tools.num(panel.passThreshold, Number.isInteger(panel.passThreshold) ? 0 : 1) }),
    `### ${t("members")}`,
    render(panelMembersTable(panel, lang, tools.num), 5),
    `### ${t("pairs")}`,
    render(panelPairsTable(panel, lang, tools.num), 2),
  ];
}
