/** The safety–utility view: each model per language, safety against over-refusal and helpfulness. */
import type { RateWithCi } from "./multi-turn-model.js";

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
  /** Safety Pass Rate of the multi-turn conversations in this language, with its bootstrap CI; null without any. */
  readonly safetyPassRate: RateWithCi | null;
  readonly counts: { readonly safety: number; readonly harmfulness: number; readonly helpfulness: number };
}

/**
 * One model on the Safety Pass Rate vs utility plane (JMedEthicBench Fig. 5b), every language pooled: the Safety
 * Pass Rate of its multi-turn conversations against its utility on the benign set, the helpfulness rubric's mean
 * rescaled from 0–10 to 0–1. A model with no scored benign request has utility null ("not measured"), never 0.
 */
export interface SafetyUtilityPoint {
  readonly targetId: string;
  /** Over decided multi-turn conversations, with its bootstrap CI; null without multi-turn conversations. */
  readonly safetyPassRate: RateWithCi | null;
  /** Mean helpfulness / 10 (0–1); null: not measured. */
  readonly utility: number | null;
  /** Share of scored benign requests answered (helpfulness above the refusal band, > 2); null: not measured. */
  readonly answeredShare: number | null;
  /** Benign requests with a helpfulness score. */
  readonly benignScored: number;
}
