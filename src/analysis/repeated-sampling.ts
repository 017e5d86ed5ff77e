import { available, type Estimate, notAvailable } from "./estimate.js";
import type { ConversationOutcome } from "./safety-metrics.js";
import { requireCount } from "./validate.js";

/**
 * Repeated sampling (`epochs: N` on a target, decision 0030): every item answered N times, each time an independent
 * conversation. Two statistics describe what the repetition shows:
 *
 * - **Between-epoch variance** of the conversation score: how much the same item's score moves from one epoch to the
 *   next (the pooled within-item variance), and its share of the total variance of the conversation scores. Both are
 *   population variances (divided by the count) over the items with at least two scored epochs, so the law of total
 *   variance holds exactly (total = within + between item means) and the share is in [0, 1]: 0 when every epoch of an
 *   item scores alike (the spread is all between items), 1 when the item explains nothing.
 * - **Fails in any of k** (pass@k's complement, Chen et al. 2021, "Evaluating Large Language Models Trained on
 *   Code", eq. 1): for an item with n decided epochs of which c failed, the chance that at least one of k epochs drawn
 *   without replacement fails, 1 − C(n−c, k) / C(n, k), unbiased for the share of items that fail at least once in
 *   k fresh samples; averaged over the items with at least k decided epochs.
 */

/**
 * 1 − C(n−c, k) / C(n, k): the chance that a k-subset of n samples, c of them failing, holds a failing one (Chen et
 * al.'s unbiased pass@k estimator, here for failures). Computed as their numerically stable product,
 * 1 − Π_{i=n−c+1..n} (1 − k / i). Throws a RangeError unless 0 ≤ c ≤ n and 1 ≤ k ≤ n are integers.
 */
export function failsInAnyOfK(samples: number, failing: number, k: number): number {
  requireCount(samples, "failsInAnyOfK", "samples");
  requireCount(failing, "failsInAnyOfK", "failing");
  requireCount(k, "failsInAnyOfK", "k");
  if (failing > samples)
    throw new RangeError(`failsInAnyOfK: failing (${failing}) must be at most samples (${samples})`);
  if (k < 1 || k > samples) throw new RangeError(`failsInAnyOfK: k (${k}) must be in 1..samples (${samples})`);
  if (samples - failing < k) return 1;
  let allPass = 1;
  for (let i = samples - failing + 1; i <= samples; i += 1) allPass *= 1 - k / i;
  return 1 - allPass;
}

/** One item's epochs: each epoch's conversation score (NaN: none scored) and its Safety Pass Rate outcome. */
export interface ItemEpochs {
  readonly scores: ArrayLike<number>;
  readonly outcomes: readonly ConversationOutcome[];
}

/** "Fails in any of k" for one k: the items it averages over (those with at least k decided epochs) and the share. */
export interface FailsInAnyOfK {
  readonly k: number;
  readonly items: number;
  /** Mean of `failsInAnyOfK` over those items; null when there are none. */
  readonly share: number | null;
}

/** What repeated sampling shows for one target (see the module note). */
export interface RepeatedSamplingSummary {
  readonly epochs: number;
  /** Items with at least one stored epoch. */
  readonly items: number;
  /** Items with at least two scored epochs: the variances' sample. */
  readonly itemsWithVariance: number;
  /** Conversation scores in the variances (the scored epochs of those items). */
  readonly conversations: number;
  /** Pooled within-item (between-epoch) variance of the conversation score. */
  readonly withinItemVariance: Estimate;
  /** Variance of every conversation score of those items. */
  readonly totalVariance: Estimate;
  /** withinItemVariance / totalVariance. */
  readonly withinShare: Estimate;
  /** k = 1..epochs. */
  readonly failsInAnyOfK: readonly FailsInAnyOfK[];
}

/** Between-epoch variance and "fails in any of k" over a target's items, each with up to `epochs` epochs. */
export function repeatedSampling(epochs: number, items: Iterable<ItemEpochs>): RepeatedSamplingSummary {
  requireCount(epochs, "repeatedSampling", "epochs");
  const failSums = new Float64Array(epochs + 1);
  const failItems = new Int32Array(epochs + 1);
  let itemCount = 0;
  let itemsWithVariance = 0;
  let count = 0;
  let withinSquares = 0;
  const scored: number[] = [];
  for (const item of items) {
    itemCount += 1;
    const values: number[] = [];
    for (let epoch = 0; epoch < item.scores.length; epoch += 1) {
      const score = item.scores[epoch] ?? Number.NaN;
      if (Number.isFinite(score)) values.push(score);
    }
    if (values.length >= 2) {
      itemsWithVariance += 1;
      const itemMean = values.reduce((sum, value) => sum + value, 0) / values.length;
      for (const value of values) {
        withinSquares += (value - itemMean) ** 2;
        scored.push(value);
      }
      count += values.length;
    }
    const decided = item.outcomes.filter((outcome) => outcome !== "undecided").length;
    const failing = item.outcomes.filter((outcome) => outcome === "failed").length;
    for (let k = 1; k <= Math.min(decided, epochs); k += 1) {
      failSums[k] = (failSums[k] ?? 0) + failsInAnyOfK(decided, failing, k);
      failItems[k] = (failItems[k] ?? 0) + 1;
    }
  }
  const variances = variancesOf(count, withinSquares, scored);
  return {
    epochs,
    items: itemCount,
    itemsWithVariance,
    conversations: count,
    ...variances,
    failsInAnyOfK: Array.from({ length: epochs }, (_, index) => {
      const k = index + 1;
      const n = failItems[k] ?? 0;
      return { k, items: n, share: n === 0 ? null : (failSums[k] ?? 0) / n };
    }),
  };
}

function variancesOf(
  count: number,
  withinSquares: number,
  scored: readonly number[],
): Pick<RepeatedSamplingSummary, "withinItemVariance" | "totalVariance" | "withinShare"> {
  if (count === 0) {
    const none = notAvailable("too-few-observations");
    return { withinItemVariance: none, totalVariance: none, withinShare: none };
  }
  const grandMean = scored.reduce((sum, value) => sum + value, 0) / count;
  const total = scored.reduce((sum, value) => sum + (value - grandMean) ** 2, 0) / count;
  const within = withinSquares / count;
  return {
    withinItemVariance: available(within),
    totalVariance: available(total),
    // Rounding can put within a hair above total when the items' means coincide.
    withinShare: total === 0 ? notAvailable("no-variance") : available(Math.min(1, within / total)),
  };
}
