import { subScoreMessagesFor } from "../../../messages/sub-scores.js";
import { subScoreNotes, subScoreTables } from "../../sub-scores-text.js";
import { num, table } from "../format.js";
import { type Html, h } from "../template.js";
import type { SectionContext } from "./common.js";

/**
 * Sub-scores per turn (decision 0028): per rubric with sub-scores, a small table of each sub-score's mean (n) per
 * target and turn, so consistency under pressure can be read on its own. Every cell is escaped by the template.
 */
export function subScoresSection(context: SectionContext): Html {
  const sections = context.report.subScores ?? [];
  const { t } = subScoreMessagesFor(context.m.lang);
  const notes = subScoreNotes(sections, context.m.lang).map((note) => h`<p class="note">${note}</p>`);
  const tables = subScoreTables(sections, context.m.lang, num).map(
    (textTable) =>
      h`<h3 id="${`sub-scores-${textTable.rubricId}`}">${textTable.heading}</h3>${table(textTable.head, textTable.rows, "sub-scores")}`,
  );
  return sections.length === 0 ? h`<p class="note no-data">${t("subScoresNote")}</p>` : h`${notes}${tables}`;
}
