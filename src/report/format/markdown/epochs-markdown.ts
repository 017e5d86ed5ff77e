import { codesOf } from "../../build/not-available.js";
import { epochsMessagesFor } from "../../messages/epochs.js";
import type { Lang } from "../../messages/labels.js";
import { notAvailableNotes } from "../../messages/not-available.js";
import type { RunReport } from "../../model/report-model.js";
import { type EpochsNumberText, failsTable, repeatedSamplingNote, varianceTable } from "../epochs-text.js";

/** What the Markdown formatter lends this section: its table, number and escaping rules. */
export interface EpochsMarkdownTools extends EpochsNumberText {
  readonly table: (
    head: readonly string[],
    rows: ReadonlyArray<readonly string[]>,
    align: readonly ("l" | "r")[],
  ) => string;
  /** Text from the data (target ids), Markdown punctuation escaped. */
  readonly escape: (text: string) => string;
}

/**
 * The repeated-sampling section of the Markdown report (decision 0030): between-epoch variance per target and "fails
 * in any of k" per target and k; nothing when no target has epochs > 1.
 */
export function epochsMarkdownBlocks(report: RunReport, lang: Lang, tools: EpochsMarkdownTools): string[] {
  const repeated = report.repeatedSampling;
  if (repeated === undefined) return [];
  const { t } = epochsMessagesFor(lang);
  const escaped = (rows: ReadonlyArray<readonly string[]>) =>
    rows.map(([first, ...rest]) => [tools.escape(first ?? ""), ...rest]);
  const variance = varianceTable(repeated, lang, tools);
  const fails = failsTable(repeated, lang, tools);
  const notes = notAvailableNotes(codesOf(repeated.targets), lang);
  return [
    `## ${t("repeatedSampling")}`,
    repeatedSamplingNote(repeated, lang),
    tools.table(variance.head, escaped(variance.rows), ["l", "r", "r", "r", "r", "r", "r"]),
    ...(notes.length === 0 ? [] : [notes.map((note) => `- ${note}`).join("\n")]),
    `### ${t("failsHeading")}`,
    tools.table(fails.head, escaped(fails.rows), ["l", "r", "r", "r"]),
  ];
}
