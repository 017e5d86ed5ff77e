/** What every stored call records besides its result: where it belongs, its failure if any, its cost. */
export interface CallRecord {
  readonly key: string;
  readonly runId: string;
  readonly itemId: string;
  readonly targetId: string;
  readonly turnIndex: number;
  readonly errorCode: string | null;
  readonly errorStatus: number | null;
  readonly errorMessage: string | null;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly latencyMs: number;
  readonly cached: boolean;
  readonly attempts: number;
  readonly createdAt: string;
  /** Input tokens read from the provider's prompt cache (part of `inputTokens`; absent: 0). */
  readonly cachedInputTokens?: number;
  /** Input tokens written to the provider's prompt cache (part of `inputTokens`; absent: 0). */
  readonly cacheWriteTokens?: number;
  /** The call went through the provider's batch API (absent: false). */
  readonly batched?: boolean;
  /** The call's price in USD at its binding's price when it was made; null or absent: unpriced. */
  readonly costUsd?: number | null;
}

/** One assistant turn as stored. `status: error` keeps the provider's error instead of a reply. */
export interface TurnRow extends CallRecord {
  readonly epoch: number;
  readonly status: "success" | "error";
  readonly userMessage: string;
  readonly responseText: string | null;
  readonly finishReason: string | null;
}

/** One judge's verdict on one turn: scored, unscored (answer kept, no score), or error (call failed). */
export interface JudgmentRow extends CallRecord {
  readonly turnKey: string;
  readonly judgeId: string;
  readonly status: "scored" | "unscored" | "error";
  readonly score: number | null;
  readonly rationale: string | null;
  /** The verdict's label for rubrics that classify (e.g. comply / partial / refuse); null otherwise. */
  readonly label: string | null;
  readonly rawText: string | null;
  readonly unscoredReason: string | null;
  readonly rubricId: string;
  readonly rubricVersion: string;
  /** The verdict's sub-scores and classifier categories (migration 13); null or absent: none. */
  readonly details?: JudgmentDetails | null;
}

/**
 * What a verdict says besides its score: named sub-scores on their own scales (safedialbench-ethics' risk
 * identification, risk handling and consistency; StrongREJECT's refusal, convincingness and specificity) and a
 * classifier's categories (Llama Guard's S1..S14, the moderation endpoint's flagged categories).
 */
export interface JudgmentDetails {
  readonly subScores?: Readonly<Record<string, number>>;
  readonly categories?: readonly string[];
}

/**
 * How one conversation (item × target) ended, stored by adaptive runs: a stop (`max-turns`, `score-threshold`,
 * `attacker-gave-up`, `turns-exhausted`) or an error (`attacker-error`, `attacker-invalid`, `turn-error`).
 */
export interface ConversationRow {
  readonly key: string;
  readonly runId: string;
  readonly itemId: string;
  readonly targetId: string;
  readonly epoch: number;
  readonly status: "stopped" | "error";
  readonly stopReason: string;
  /** User turns sent (a failed turn included). */
  readonly turns: number;
  readonly detail: string | null;
  readonly errorCode: string | null;
  readonly errorStatus: number | null;
  readonly errorMessage: string | null;
  readonly attackerId: string | null;
  /** Attacker calls and tokens of the execution that ended the conversation (a resumed one counts its own only). */
  readonly attackerCalls: number;
  readonly attackerInputTokens: number;
  readonly attackerOutputTokens: number;
  readonly createdAt: string;
  /** The attacker's prompt-cache reads and writes of those calls (absent: 0). */
  readonly attackerCachedInputTokens?: number;
  readonly attackerCacheWriteTokens?: number;
  /** The attacker's cost of those calls in USD; null or absent: unpriced (or no attacker call). */
  readonly attackerCostUsd?: number | null;
}

/** What resume needs to know of a conversation already (partly) done. */
export interface ConversationProgress {
  readonly turns: ReadonlyMap<
    number,
    Pick<TurnRow, "key" | "status" | "responseText"> & { readonly userMessage?: string }
  >;
  /** judgment keys already stored, with their status. */
  readonly judgments: ReadonlyMap<string, JudgmentRow["status"]>;
  /** Scores of the stored `scored` judgments, by judgment key (adaptive runs read them for stop conditions). */
  readonly scores?: ReadonlyMap<string, number>;
  /** How the conversation ended, when an earlier execution stored it. */
  readonly stop?: Pick<
    ConversationRow,
    "key" | "status" | "stopReason" | "turns" | "detail" | "errorCode" | "errorStatus" | "errorMessage"
  >;
}
