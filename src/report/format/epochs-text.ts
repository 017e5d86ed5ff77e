/**
 * The repeated-sampling section's tables as text cells (decision 0030), shared by the Markdown report, the HTML report
 * and the terminal table: each output renders them its own way, numbers through its own `num` / `pct`.
 */
import { epochsMessagesFor } from "../messages/epochs.js";
import type { Lang } from "../messages/labels.js";
import { notAvailableCell } from "../messages/not-available.js";
import type { RepeatedSamplingReport, TargetRepeatedSampling } from "../model/epochs-model.js";

/** How an output writes a number and a share. */
export interface EpochsNumberText {
  readonly num: (value: number | null | undefined, digits?: number) => string;
  readonly pct: (value: number | null | undefined) => string;
}

export interface EpochsTextTable {
  readonly head: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
}

/** The section's note, with the pass threshold filled in. */
export function repeatedSamplingNote(report: RepeatedSamplingReport, lang: Lang): string {
  return epochsMessagesFor(lang).t("repeatedNote", { threshold: report.passThreshold });
}

/** One line per target: epochs, items, the variances and the between-epoch share. */
export function varianceTable(report: RepeatedSamplingReport, lang: Lang, text: EpochsNumberText): EpochsTextTable {
  const { t } = epochsMessagesFor(lang);
  const cell = (target: TargetRepeatedSampling, field: "withinItemVariance" | "totalVariance" | "withinShare") => {
    const value = target[field];
    const reason = target.notAvailable?.[field];
    if (value === null && reason !== undefined) return notAvailableCell(reason.code, lang);
    return field === "withinShare" ? text.pct(value) : text.num(value, 3);
  };
  return {
    head: [
      t("target"),
      t("epochs"),
      t("items"),
      t("itemsWithVariance"),
      t("withinItemVariance"),
      t("totalVariance"),
      t("withinShare"),
    ],
    rows: report.targets.map((target) => [
      target.targetId,
      String(target.epochs),
      String(target.items),
      String(target.itemsWithVariance),
      cell(target, "withinItemVariance"),
      cell(target, "totalVariance"),
      cell(target, "withinShare"),
    ]),
  };
}

/** One line per target and k: the share of items failing in any of k epochs, and the items it averages. */
export function failsTable(report: RepeatedSamplingReport, lang: Lang, text: EpochsNumberText): EpochsTextTable {
  const { t } = epochsMessagesFor(lang);
  return {
    head: [t("target"), t("k"), t("share"), t("itemsForK")],
    rows: report.targets.flatMap((target) =>
      target.failsInAnyOfK.map((entry) => [
        target.targetId,
        String(entry.k),
        text.pct(entry.share),
        String(entry.items),
      ]),
    ),
  };
}
