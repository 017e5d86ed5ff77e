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
}

/** What resume needs to know of a conversation already (partly) done. */
export interface ConversationProgress {
  readonly turns: ReadonlyMap<number, Pick<TurnRow, "key" | "status" | "responseText">>;
  /** judgment keys already stored, with their status. */
  readonly judgments: ReadonlyMap<string, JudgmentRow["status"]>;
}
