import type { RepeatedSamplingReport } from "../../model/epochs-model.js";

/** A CSV report row as format-csv.ts writes it (the same keys). */
export interface EpochsCsvRow {
  readonly section: string;
  readonly rubric: string;
  readonly target: string;
  readonly dimension: string;
  readonly group: string;
  readonly metric: string;
  readonly value: number | null;
  readonly note?: string;
}

/**
 * The repeated-sampling section (decision 0030): section `repeated_sampling`, rubric `jmedethic-safety`, per target
 * with epochs > 1: dimension `all`, group `all`: `epochs`, `items`, `items_with_variance`, `conversations`,
 * `within_item_variance`, `total_variance`, `within_share` (an empty value's `note` says why); dimension `k`, group =
 * k from 1: `fails_in_any_of_k` (empty when no item has k decided epochs) and `items`.
 */
export function epochsCsvRows(report: RepeatedSamplingReport | undefined): EpochsCsvRow[] {
  if (report === undefined) return [];
  return report.targets.flatMap((target) => {
    const keys = { section: "repeated_sampling", rubric: "jmedethic-safety", target: target.targetId };
    const all = { ...keys, dimension: "all", group: "all" };
    const statistic = (metric: string, field: "withinItemVariance" | "totalVariance" | "withinShare"): EpochsCsvRow => {
      const reason = target.notAvailable?.[field];
      return {
        ...all,
        metric,
        value: target[field],
        ...(target[field] === null && reason !== undefined
          ? { note: `not available (${reason.code}): ${reason.reason}` }
          : {}),
      };
    };
    return [
      { ...all, metric: "epochs", value: target.epochs },
      { ...all, metric: "items", value: target.items },
      { ...all, metric: "items_with_variance", value: target.itemsWithVariance },
      { ...all, metric: "conversations", value: target.conversations },
      statistic("within_item_variance", "withinItemVariance"),
      statistic("total_variance", "totalVariance"),
      statistic("within_share", "withinShare"),
      ...target.failsInAnyOfK.flatMap((entry) => [
        { ...keys, dimension: "k", group: String(entry.k), metric: "fails_in_any_of_k", value: entry.share },
        { ...keys, dimension: "k", group: String(entry.k), metric: "items", value: entry.items },
      ]),
    ];
  });
}
