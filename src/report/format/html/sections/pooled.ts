import { pooledMessagesFor } from "../../../messages/pooled.js";
import {
  type NumberText,
  pooledRowsTable,
  pooledScoresTable,
  pooledTestNotes,
  pooledTestsTable,
  protocolNotes,
  type TextTable,
} from "../../pooled-text.js";
import { num, pValue, table } from "../format.js";
import { type Html, h } from "../template.js";
import type { SectionContext } from "./common.js";

const TEXT: NumberText = { num, p: pValue };

/**
 * Pooled results (decision 0024): the all-models row and one per model category, their per-turn n / median / mean /
 * quartiles, their turn tests with the Bonferroni family and m, and the protocol choices the report makes.
 */
export function pooledSection(context: SectionContext): Html {
  const { t } = pooledMessagesFor(context.m.lang);
  const { pooled } = context.report;
  if (pooled === undefined) return h`<p class="note no-data">${t("noPooled")}</p>`;
  const render = (textTable: TextTable, className: string): Html => table(textTable.head, textTable.rows, className);
  const notes = pooledTestNotes(pooled, context.m.lang, TEXT).map((note) => h`<li>${note}</li>`);
  const protocol = protocolNotes(pooled, context.m.lang).map((note) => h`<li>${note}</li>`);
  return h`<p class="note">${t("pooledNote")}</p>
${render(pooledRowsTable(pooled, t), "pooled-rows")}
<h3>${t("scores")}</h3>
${render(pooledScoresTable(pooled, t, TEXT), "pooled-scores")}
<h3>${t("tests")}</h3>
${render(pooledTestsTable(pooled, t, TEXT), "pooled-tests")}
<ul class="muted">${notes}</ul>
<h3>${t("protocol")}</h3>
<ul class="note">${protocol}</ul>`;
}
