import { costMessagesFor } from "../../../messages/costs.js";
import { costCells, costColumns, distributionCells, distributionColumns, roleRows } from "../../cost-text.js";
import { table } from "../format.js";
import { type Html, h } from "../template.js";
import type { SectionContext } from "./common.js";

/**
 * Money and tokens: by role (targets, judges, attacker, total), by target, by judge, and each target's
 * per-conversation cost distribution. Unpriced calls read "unpriced (N calls)", never $0 (cost-text.ts).
 */
export function costsSection(context: SectionContext): Html {
  const { t } = costMessagesFor(context.m.lang);
  const { costs } = context.report;
  const head = (first: string) => [first, ...costColumns(t)];
  return h`<p class="note">${t("costsNote")}</p>
<h3>${t("byRole")}</h3>
${table(head(t("role")), roleRows(costs, t), "costs")}
<h3>${t("byTarget")}</h3>
${table(
  head(t("target")),
  costs.byTarget.map((row) => [row.targetId, ...costCells(row, t)]),
  "costs",
)}
<h3>${t("byJudge")}</h3>
${table(
  head(t("judge")),
  costs.byJudge.map((row) => [row.judgeId, ...costCells(row, t)]),
  "costs",
)}
<h3>${t("perConversation")}</h3>
<p class="note">${t("perConversationNote")}</p>
${table(
  [t("target"), ...distributionColumns(t)],
  costs.conversations.map((row) => [row.targetId, ...distributionCells(row.distribution)]),
  "costs",
)}`;
}
