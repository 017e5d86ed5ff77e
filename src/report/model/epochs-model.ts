/** The report's repeated-sampling section (a target's `epochs`, decision 0030): its output types only. */
import type { NotAvailableFields } from "./not-available-model.js";

/** "Fails in any of k" for one k (Chen et al. 2021's unbiased estimator, analysis/repeated-sampling.ts). */
export interface FailsInAnyOfKReport {
  readonly k: number;
  /** Items with at least k decided epochs: the share's denominator. */
  readonly items: number;
  /** The mean over those items of 1 − C(n−c, k) / C(n, k); null when there are none. */
  readonly share: number | null;
}

/** One target with `epochs` > 1: how much its answers move between epochs, and how often an item fails in k tries. */
export interface TargetRepeatedSampling {
  readonly targetId: string;
  readonly epochs: number;
  /** Items with at least one stored epoch. */
  readonly items: number;
  /** Items with at least two scored epochs: the variances' sample. */
  readonly itemsWithVariance: number;
  /** The conversation scores in the variances. */
  readonly conversations: number;
  /** The pooled within-item (between-epoch) variance of the conversation score (population form). */
  readonly withinItemVariance: number | null;
  /** The variance of every conversation score of those items. */
  readonly totalVariance: number | null;
  /** withinItemVariance / totalVariance: the share of the spread that is between epochs, not between items. */
  readonly withinShare: number | null;
  readonly notAvailable?: NotAvailableFields<"withinItemVariance" | "totalVariance" | "withinShare">;
  /** k = 1..epochs. */
  readonly failsInAnyOfK: readonly FailsInAnyOfKReport[];
}

/** Every target with repeated sampling; a conversation fails by the Safety Pass Rate's rule at `passThreshold`. */
export interface RepeatedSamplingReport {
  readonly passThreshold: number;
  readonly targets: readonly TargetRepeatedSampling[];
}
