import { errorFieldsOf, isCancellation, type Usage, ZERO_USAGE } from "../core/index.js";
import type { CallOptions, ChatModel } from "../providers/index.js";
import type { JudgmentDetails } from "../store/index.js";
import { judgeRequestFor, readJudgeAnswer } from "./judge-formats.js";
import type { JudgeInput } from "./judge-prompt.js";
import type { UnscoredReason } from "./parse-verdict.js";
import type { Rubric } from "./rubric.js";

/** Sampling settings a judge binding may set (defaults: temperature 0). */
export interface JudgeSampling {
  readonly temperature?: number;
  readonly maxTokens?: number;
  readonly seed?: number;
}

interface OutcomeBase {
  readonly usage: Usage;
  readonly latencyMs: number;
  readonly cached: boolean;
  readonly attempts: number;
  /** The call's price in USD (`ChatResponse.costUsd`); null when unpriced or no pricing layer saw it; 0 on error. */
  readonly costUsd: number | null;
  /** The answer came through the provider's batch API. */
  readonly batched: boolean;
}

export type JudgmentOutcome =
  | (OutcomeBase & {
      readonly status: "scored";
      readonly score: number;
      readonly rationale: string;
      readonly label: string | null;
      /** Sub-scores and classifier categories, for rubrics that give them; null otherwise. */
      readonly details: JudgmentDetails | null;
      readonly rawText: string;
    })
  | (OutcomeBase & {
      readonly status: "unscored";
      readonly reason: UnscoredReason;
      readonly detail: string;
      readonly rawText: string;
    })
  | (OutcomeBase & {
      readonly status: "error";
      readonly errorCode: string;
      readonly errorStatus: number | null;
      readonly errorMessage: string;
    });

/**
 * Has one judge score the last assistant reply of a conversation. Provider failures (after the model's own
 * retries) become `error`; answers that are not a valid verdict become `unscored` with the raw text. Only a
 * cancelled run throws.
 */
export async function judgeTurn(
  model: ChatModel,
  rubric: Rubric,
  input: JudgeInput,
  sampling: JudgeSampling,
  options: CallOptions = {},
): Promise<JudgmentOutcome> {
  const request = {
    ...judgeRequestFor(rubric, input),
    temperature: sampling.temperature ?? 0,
    ...optional(sampling),
  };
  let attempts = 1;
  const onRetry: NonNullable<CallOptions["onRetry"]> = (info) => {
    attempts += 1;
    options.onRetry?.(info);
  };
  try {
    const response = await model.generate(request, { ...options, onRetry });
    const base = {
      usage: response.usage,
      latencyMs: response.latencyMs,
      cached: response.cached,
      attempts,
      costUsd: response.costUsd ?? null,
      batched: response.batched === true,
    };
    const verdict = readJudgeAnswer(response.text, rubric);
    return verdict.status === "scored"
      ? {
          ...base,
          status: "scored",
          score: verdict.score,
          rationale: verdict.rationale,
          label: verdict.label ?? null,
          details: verdict.details ?? null,
          rawText: response.text,
        }
      : { ...base, status: "unscored", reason: verdict.reason, detail: verdict.detail, rawText: response.text };
  } catch (error) {
    if (isCancellation(error)) throw error;
    const { code, status, message } = errorFieldsOf(error);
    return {
      status: "error",
      errorCode: code,
      errorStatus: status,
      errorMessage: message,
      usage: ZERO_USAGE,
      latencyMs: 0,
      cached: false,
      attempts,
      // A failed call used no tokens: it costs nothing, priced or not.
      costUsd: 0,
      batched: false,
    };
  }
}

function optional(sampling: JudgeSampling): { maxTokens?: number; seed?: number } {
  return {
    ...(sampling.maxTokens === undefined ? {} : { maxTokens: sampling.maxTokens }),
    ...(sampling.seed === undefined ? {} : { seed: sampling.seed }),
  };
}
