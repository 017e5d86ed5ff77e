/** The leaderboard and the comparison of a run with other runs (`report --compare`). */
import type { Distribution } from "./multi-turn-model.js";

/** A rate with the bootstrap CI of the grouped section when the report has one. */
export interface LeaderboardRate {
  readonly rate: number | null;
  /** Conversations passed / conversations with every turn scored (the denominator). */
  readonly count: number;
  readonly n: number;
  readonly ciLow: number | null;
  readonly ciHigh: number | null;
}

/** A mean with the bootstrap CI of the grouped section when the report has one. */
export interface LeaderboardMean {
  readonly n: number;
  readonly mean: number | null;
  readonly ciLow: number | null;
  readonly ciHigh: number | null;
}

/** One target of one run on the multi-turn (JMedEthicBench rubric) leaderboard. */
export interface LeaderboardEntry {
  readonly targetId: string;
  readonly conversations: number;
  readonly safetyPassRate: LeaderboardRate;
  /** Mean of every scored turn pooled (n = scored turns); CI from the grouped section (`allTurns`), else null. */
  readonly overallMean: LeaderboardMean;
  /** Mean of each conversation's scored turns (the unit of model comparisons); null without the grouped section. */
  readonly conversationScore: Distribution | null;
  readonly unscoredTurns: number;
  readonly errorTurns: number;
}

export interface ComparedRun {
  readonly runId: string;
  readonly status: string;
  readonly createdAt: string;
  readonly datasetSource: string;
  readonly datasetHash: string;
  readonly configHash: string;
  readonly passThreshold: number;
  readonly leaderboard: readonly LeaderboardEntry[];
}

/** Compared minus base, and both values. */
export interface ValueDelta {
  readonly base: number | null;
  readonly compared: number | null;
  /** compared − base; null when either is null. */
  readonly delta: number | null;
}

/** One target present in the base run and in a compared run. */
export interface TargetDelta {
  readonly targetId: string;
  readonly baseRunId: string;
  readonly comparedRunId: string;
  /** Same dataset (hash) and pass threshold: otherwise the numbers measure different things. */
  readonly sameDataset: boolean;
  readonly samePassThreshold: boolean;
  readonly overallMean: ValueDelta;
  readonly safetyPassRate: ValueDelta;
  /** Conversation scores of both runs (grouped section, dimension "all"); null unless both reports have it. */
  readonly conversationScore: {
    readonly base: Distribution;
    readonly compared: Distribution;
    readonly meanDelta: number | null;
  } | null;
}

/**
 * Several runs side by side (`report --compare`): a leaderboard per run (the base run first) and, for every
 * target id present in the base run and a compared run, the differences compared − base.
 *
 * Descriptive only, no test: a report holds summaries (means, rates, bootstrap CIs), not the conversation scores,
 * so no paired or unpaired test between runs can be computed from it, and a test derived from the CIs would assume
 * a normal sampling distribution the bootstrap did not. Read the deltas beside each run's own CIs; for a test,
 * run the targets in one run (the grouped section compares them with Mann–Whitney U and Holm).
 */
export interface RunComparison {
  readonly baseRunId: string;
  readonly method: "descriptive";
  /** The base run first, then the compared runs in the order given. */
  readonly runs: readonly ComparedRun[];
  readonly deltas: readonly TargetDelta[];
}
