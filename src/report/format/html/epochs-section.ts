import { epochsMessagesFor } from "../../messages/epochs.js";
import { type EpochsNumberText, failsTable, repeatedSamplingNote, varianceTable } from "../epochs-text.js";
import { notAvailableNote, num, pct, table } from "./format.js";
import type { SectionContext } from "./sections/common.js";
import { type Html, h } from "./template.js";

const TEXT: EpochsNumberText = { num, pct: (value) => pct(value) };

/**
 * Repeated sampling (decision 0030): per target with epochs > 1 the between-epoch variance of the conversation score
 * and its share of the total, then "fails in any of k" per target and k. Shown only when such a target exists.
 */
export function repeatedSamplingSection(context: SectionContext): Html {
  const { t } = epochsMessagesFor(context.m.lang);
  const repeated = context.report.repeatedSampling;
  if (repeated === undefined) return h``;
  const variance = varianceTable(repeated, context.m.lang, TEXT);
  const fails = failsTable(repeated, context.m.lang, TEXT);
  return h`<p class="note">${repeatedSamplingNote(repeated, context.m.lang)}</p>
${table(variance.head, variance.rows, "repeated-variance")}
${notAvailableNote(repeated.targets, context.m.lang)}
<h3>${t("failsHeading")}</h3>
${table(fails.head, fails.rows, "repeated-fails")}`;
}
