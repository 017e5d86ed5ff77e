/**
 * The grouped multi-turn statistics of a report (JMedEthicBench rubric): distributions with seeded bootstrap
 * confidence intervals, per-turn decline, Safety Pass Rate, survival of conversations, comparisons between models,
 * categories, fine-tunes and languages.
 */

/** A sample summarised: n, mean, median, quartiles (linear interpolation, as numpy's default) and a bootstrap CI of the mean. */
export interface Distribution {
  readonly n: number;
  readonly mean: number | null;
  readonly median: number | null;
  readonly q1: number | null;
  readonly q3: number | null;
  readonly iqr: number | null;
  /** Percentile bootstrap confidence interval of the mean (seeded; see `bootstrap` in the section). */
  readonly ciLow: number | null;
  readonly ciHigh: number | null;
}

/** A rate with its bootstrap confidence interval. */
export interface RateWithCi {
  readonly n: number;
  readonly count: number;
  readonly rate: number | null;
  readonly ciLow: number | null;
  readonly ciHigh: number | null;
}

/** A mean difference with its bootstrap confidence interval (paired when `paired`). */
export interface DeltaWithCi {
  readonly n: number;
  readonly mean: number | null;
  readonly ciLow: number | null;
  readonly ciHigh: number | null;
}

/** Scores of one turn position within a group. */
export interface GroupTurn extends Distribution {
  readonly turn: number;
  /** Answered turns with no valid judge score. */
  readonly unscored: number;
  /** Turns whose target call failed after retries. */
  readonly errors: number;
  /** Turns never sent (an earlier turn failed, or the run stopped). */
  readonly notReached: number;
  /** Turn score minus turn-0 score, paired by conversation (null for turn 0). Negative: safety declines. */
  readonly decline: DeltaWithCi | null;
}

/**
 * Kaplan–Meier estimate of the share of conversations not yet failed (score ≤ threshold) after each turn. A
 * conversation without a score at a turn (error, unscored, not reached) is censored there: it leaves the risk set
 * without counting as a failure.
 */
export interface SurvivalPoint {
  readonly turn: number;
  readonly atRisk: number;
  readonly failed: number;
  readonly censored: number;
  readonly survival: number | null;
}

export const GROUP_DIMENSIONS = [
  "all",
  "strategy",
  "guideline",
  "section",
  "attacker",
  "language",
  "category",
] as const;
export type GroupDimension = (typeof GROUP_DIMENSIONS)[number];

/**
 * One group of conversations: a target's conversations of one strategy (guideline, ...), or, for dimension
 * `category`, every conversation of the targets of one category pooled (`targetId` null).
 */
export interface ConversationGroup {
  readonly targetId: string | null;
  readonly dimension: GroupDimension;
  readonly group: string;
  readonly conversations: number;
  /** Mean of each conversation's scored turns (the unit of model comparisons). */
  readonly conversationScore: Distribution;
  /** Every scored turn pooled. */
  readonly allTurns: Distribution & { readonly unscored: number; readonly errors: number };
  readonly turns: readonly GroupTurn[];
  /** Conversations whose every turn is scored and above the threshold, over those with every turn scored. */
  readonly safetyPassRate: RateWithCi;
  readonly survival: readonly SurvivalPoint[];
}

/** A two-sample comparison of conversation scores (Mann–Whitney U, Holm-adjusted over the family). */
export interface PairComparison {
  readonly a: string;
  readonly b: string;
  readonly nA: number;
  readonly nB: number;
  /** Mean of a minus mean of b, with a bootstrap CI (independent resampling of each side). */
  readonly meanDelta: DeltaWithCi;
  readonly u: number | null;
  readonly pValue: number | null;
  readonly pHolm: number | null;
}

export interface GroupComparison {
  /** What is compared: targets, or categories of targets. */
  readonly by: "target" | "category";
  readonly kruskalWallis: {
    readonly statistic: number;
    readonly degreesOfFreedom: number;
    readonly pValue: number;
  } | null;
  readonly pairs: readonly PairComparison[];
}

/** A target paired with another conversation by conversation: a medical fine-tune vs its base, or ja vs en. */
export interface PairedComparison {
  readonly n: number;
  /** Mean of the paired differences (first minus second) and its bootstrap CI. */
  readonly meanDelta: DeltaWithCi;
  readonly wilcoxon: { readonly statistic: number; readonly pValue: number; readonly n: number } | null;
}

export interface FineTuneComparison extends PairedComparison {
  readonly fineTunedId: string;
  readonly baseId: string;
}

export interface CrossLingualTarget extends PairedComparison {
  readonly targetId: string;
  readonly meanJa: number | null;
  readonly meanEn: number | null;
}

export interface CrossLingual {
  /** Per target: Japanese minus English conversation score over items paired by `pairId`. */
  readonly targets: readonly CrossLingualTarget[];
  /** Spearman correlation of the targets' mean scores in Japanese and in English. */
  readonly rankingSpearman: { readonly rho: number | null; readonly n: number };
}

export interface BootstrapSettings {
  readonly resamples: number;
  readonly seed: number;
  readonly confidence: number;
}

/** The grouped multi-turn section of a report. */
export interface MultiTurnStatistics {
  readonly passThreshold: number;
  readonly bootstrap: BootstrapSettings;
  readonly groups: readonly ConversationGroup[];
  readonly comparisons: readonly GroupComparison[];
  readonly fineTunes: readonly FineTuneComparison[];
  readonly crossLingual: CrossLingual;
}
