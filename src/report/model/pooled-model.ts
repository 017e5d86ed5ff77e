import type { TurnTests } from "./turn-tests-model.js";

export { BONFERRONI_FAMILIES, type BonferroniFamily, DEFAULT_BONFERRONI_FAMILY } from "./turn-tests-model.js";

/** One turn position of a pooled row (0-based; every output numbers it from 1). */
export interface PooledTurn {
  readonly turn: number;
  /** Scored turns at this position over the row's conversations. */
  readonly n: number;
  readonly mean: number | null;
  readonly median: number | null;
  /** Type-7 quartiles (numpy's default), as every other quantile of the report. */
  readonly q1: number | null;
  readonly q3: number | null;
}

/**
 * Turn scores pooled over several targets: every conversation (item × target) of the row's targets counts once, as
 * the JMedEthicBench paper pools its models. The turn tests are the per-target ones run on the pooled scores (paired
 * tests pair the turns of one conversation, item × target).
 */
export interface PooledRow {
  /** `all`: every target of the run; `category`: the targets of one config `category`. */
  readonly scope: "all" | "category";
  /** The category (scope `category`); null for all models. */
  readonly category: string | null;
  readonly targets: readonly string[];
  /** Conversations pooled: items × targets. */
  readonly conversations: number;
  readonly turns: readonly PooledTurn[];
  readonly turnTests: TurnTests;
  /** Scored turns of the row whose score came from one judge only (the other judges' verdicts were invalid). */
  readonly singleJudgeTurns: number;
}

/**
 * The report's pooled section and the protocol choices it states (decision 0024): the all-models row, then one row
 * per model category in name order (targets without a category are in the all-models row only).
 */
export interface PooledResults {
  readonly rows: readonly PooledRow[];
  /** The judges of the multi-turn rubric: a turn score is the mean of those that gave a valid score. */
  readonly judges: number;
  /** Per target: scored turns with a score from one judge only (a panel of two or more judges). */
  readonly singleJudgeTurns: ReadonlyArray<{ readonly targetId: string; readonly turns: number }>;
}
