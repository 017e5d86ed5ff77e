import Table from "cli-table3";
import type { Lang } from "../../messages/labels.js";
import { bonferroniFamilyText, pooledMessagesFor } from "../../messages/pooled.js";
import type { RunReport } from "../../model/report-model.js";
import { formatPValue } from "../p-value.js";
import {
  type NumberText,
  pooledRowsTable,
  pooledScoresTable,
  pooledTestNotes,
  pooledTestsTable,
  protocolNotes,
  type TextTable,
} from "../pooled-text.js";

const PLAIN = { head: [], border: [] };

const TEXT: NumberText = {
  num: (value, digits = 2) =>
    value === null || value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits),
  p: formatPValue,
};

/** Each target's Bonferroni family and m, under its decline line (decision 0024). */
export function targetFamilyLines(report: RunReport, lang: Lang): string[] {
  return report.targets.map(
    (target) => `  ${target.targetId}: ${bonferroniFamilyText(lang, target.turnTests.bonferroni)}`,
  );
}

/** The pooled section for the terminal: rows, per-turn scores, turn tests with the family, protocol notes. */
export function pooledTableLines(report: RunReport, lang: Lang): string[] {
  const { pooled } = report;
  if (pooled === undefined) return [];
  const { t } = pooledMessagesFor(lang);
  const render = (text: TextTable): string => {
    const table = new Table({ style: PLAIN, head: [...text.head] });
    for (const row of text.rows) table.push([...row]);
    return table.toString();
  };
  return [
    `${t("pooled")}:`,
    render(pooledRowsTable(pooled, t)),
    render(pooledScoresTable(pooled, t, TEXT)),
    `${t("tests")}:`,
    render(pooledTestsTable(pooled, t, TEXT)),
    ...pooledTestNotes(pooled, lang, TEXT).map((note) => `  ${note}`),
    `${t("protocol")}:`,
    ...protocolNotes(pooled, lang).map((note) => `  - ${note}`),
  ];
}
