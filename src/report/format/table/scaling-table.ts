/** The paper-figure tables in the terminal (decision 0026): models and scaling, per-strategy boxes, SPR vs utility. */
import Table from "cli-table3";
import type { Lang } from "../../messages/labels.js";
import { paperFigureMessagesFor } from "../../messages/paper-figures.js";
import type { RunReport } from "../../model/report-model.js";
import { safetyUtilityTable, scalingTables, type TextTable } from "../scaling-text.js";
import { strategyBoxTables } from "../strategy-box-text.js";

const PLAIN = { head: [], border: [] };

function lines(tables: readonly TextTable[]): string[] {
  return tables.flatMap((table) => {
    if (table.rows.length === 0 && table.empty !== undefined) return [`${table.title}:`, table.empty];
    const drawn = new Table({ style: PLAIN, head: [...table.head] });
    for (const row of table.rows) drawn.push([...row]);
    return [`${table.title}:`, ...(table.note === undefined ? [] : [table.note]), drawn.toString()];
  });
}

/** Models and scaling, then turn scores per strategy: [] for a report without model metadata. */
export function scalingTableLines(report: RunReport, lang: Lang): string[] {
  if (report.models === undefined || report.models.length === 0) return [];
  const { t } = paperFigureMessagesFor(lang);
  const result = ["", `${t("scaling")}:`, ...lines(scalingTables(report, lang))];
  if (report.strategyBoxes !== undefined)
    result.push("", `${t("strategyBoxes")}:`, ...lines(strategyBoxTables(report.strategyBoxes, lang)));
  return result;
}

/** Safety Pass Rate vs utility per model: [] when the report has none. */
export function safetyUtilityTableLines(report: RunReport, lang: Lang): string[] {
  if (report.safetyUtility === undefined || report.safetyUtility.length === 0) return [];
  return ["", ...lines([safetyUtilityTable(report.safetyUtility, lang)])];
}
