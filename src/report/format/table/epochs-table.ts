import Table from "cli-table3";
import { epochsMessagesFor } from "../../messages/epochs.js";
import type { Lang } from "../../messages/labels.js";
import type { RunReport } from "../../model/report-model.js";
import { type EpochsNumberText, failsTable, varianceTable } from "../epochs-text.js";

const PLAIN = { head: [], border: [] };

const TEXT: EpochsNumberText = {
  num: (value, digits = 2) =>
    value === null || value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits),
  pct: (value) =>
    value === null || value === undefined || !Number.isFinite(value) ? "–" : `${(value * 100).toFixed(1)}%`,
};

/**
 * Repeated sampling in the terminal table (decision 0030): between-epoch variance per target, then "fails in any of
 * k"; no lines when no target has epochs > 1.
 */
export function epochsTableLines(report: RunReport, lang: Lang): string[] {
  const repeated = report.repeatedSampling;
  if (repeated === undefined) return [];
  const { t } = epochsMessagesFor(lang);
  const render = (text: { head: readonly string[]; rows: ReadonlyArray<readonly string[]> }): string => {
    const table = new Table({ style: PLAIN, head: [...text.head] });
    for (const row of text.rows) table.push([...row]);
    return table.toString();
  };
  return [
    "",
    `${t("repeatedSampling")}:`,
    render(varianceTable(repeated, lang, TEXT)),
    `${t("failsHeading")}:`,
    render(failsTable(repeated, lang, TEXT)),
  ];
}
