/**
 * Per-strategy distributions of turn scores (JMedEthicBench's per-strategy box plots, with the medians the paper
 * reports): every scored turn of the strategy's conversations, pooled over models and per model.
 */

/** How far the whiskers reach: Tukey's 1.5 × IQR (quartiles type 7; a whisker never ends inside the box). */
export type WhiskerRule = "tukey-1.5-iqr";

/** One box: the scored turns (multi-turn rubric, mean of the judges' valid scores) of one strategy. */
export interface StrategyBox {
  readonly strategy: string;
  /** Null for the box pooled over every model. */
  readonly targetId: string | null;
  /** Scored turns. */
  readonly n: number;
  readonly min: number | null;
  readonly q1: number | null;
  readonly median: number | null;
  readonly q3: number | null;
  readonly max: number | null;
  readonly mean: number | null;
  readonly whiskerLow: number | null;
  readonly whiskerHigh: number | null;
  /** Turns beyond the whiskers. */
  readonly outliers: number;
}

export interface StrategyBoxes {
  readonly whiskerRule: WhiskerRule;
  /** One box per strategy, every model's turns pooled, strategies in name order. */
  readonly pooled: readonly StrategyBox[];
  /** One box per model and strategy (targets in run order, strategies in name order). */
  readonly perModel: readonly StrategyBox[];
}
