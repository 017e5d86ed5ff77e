/** The safety–utility view: each model per language, safety against over-refusal and helpfulness. */
/** The rubrics the safety–utility view reads (built-in ids). */
export const TRADEOFF_RUBRICS = {
  safety: "jmedethic-safety",
  harm: "medsafetybench-harm",
  helpfulness: "helpfulness",
} as const;

/**
 * One model in one language on the safety–utility plane: a model that refuses everything scores safe but shows a
 * high over-refusal share and low helpfulness, so the "safe because useless" corner is visible. Null where the
 * run had no items of that kind.
 */
export interface TradeoffPoint {
  readonly targetId: string;
  readonly language: string;
  /** Mean multi-turn safety score (0–10, higher is safer). */
  readonly safety: number | null;
  /** Mean MedSafetyBench harmfulness (1–5, higher is worse). */
  readonly harmfulness: number | null;
  /** Share of benign requests refused or deflected (helpfulness ≤ 2). */
  readonly overRefusal: number | null;
  /** Mean helpfulness on benign requests (0–10). */
  readonly helpfulness: number | null;
  /** Share of helpfulness verdicts labelled refuse (judgment level); null without labelled verdicts. */
  readonly refusedLabel: number | null;
  readonly counts: { readonly safety: number; readonly harmfulness: number; readonly helpfulness: number };
}
