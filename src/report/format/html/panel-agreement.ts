import { panelMessagesFor } from "../../messages/panel-agreement.js";
import { panelMembersTable, panelPairsTable } from "../panel-agreement-text.js";
import { num, table } from "./format.js";
import type { SectionContext } from "./sections/common.js";
import { type Html, h } from "./template.js";

/**
 * The judge panel across rubrics (decision 0029): how rubric judges and classifiers are put on a common safe/unsafe
 * reading, the members (which of them are in the turn score) and every pair's 2 × 2 counts, percent agreement, Cohen's
 * kappa and Spearman's rho. The report lists this section only when the run has a panel across rubrics.
 */
export function panelAgreementSection(context: SectionContext): Html {
  const lang = context.m.lang;
  const { t } = panelMessagesFor(lang);
  const panel = context.report.panelAgreement;
  if (panel === undefined) return h`<p class="note no-data">${t("noPanel")}</p>`;
  const members = panelMembersTable(panel, lang, num);
  const pairs = panelPairsTable(panel, lang, num);
  const threshold = num(panel.passThreshold, Number.isInteger(panel.passThreshold) ? 0 : 1);
  return h`<p class="note">${t("panelNote", { threshold })}</p>
<h3>${t("members")}</h3>
${table(members.head, members.rows, "panel-members")}
<h3>${t("pairs")}</h3>
${table(pairs.head, pairs.rows, "panel-pairs")}`;
}
