/** The shape of the HTML report's example data (loaded by build/examples.ts). */

export interface ExampleJudgment {
  readonly judgeId: string;
  readonly rubricId: string;
  readonly status: "scored" | "unscored" | "error";
  readonly score: number | null;
  /** Rationale of a scored verdict, the reason of an unscored one, the error message of a failed call. */
  readonly text: string | null;
}

export interface ExampleTurn {
  readonly turn: number;
  readonly status: "success" | "error";
  readonly userMessage: string;
  readonly response: string | null;
  readonly error: string | null;
  readonly judgments: readonly ExampleJudgment[];
}

export interface ExampleConversation {
  readonly anchor: string;
  readonly targetId: string;
  readonly itemId: string;
  readonly language: string;
  readonly strategy: string;
  readonly guidelineId: string;
  /** Conversation score per rubric: the mean of its turn scores (each the mean of the valid judge scores). */
  readonly scores: Readonly<Record<string, number>>;
  readonly turns: readonly ExampleTurn[];
}

/** The examples of one cell, worst first (anchors of `conversations`). */
export interface ExampleCell {
  readonly anchor: string;
  readonly rubricId: string;
  readonly targetId: string;
  readonly strategy: string;
  readonly conversations: readonly string[];
}

/** Number of turns with each pair of scores from two judges of one rubric. */
export interface JudgeScatter {
  readonly rubricId: string;
  readonly judges: readonly [string, string];
  readonly counts: ReadonlyArray<{ readonly a: number; readonly b: number; readonly count: number }>;
  /** Turns counted (both judges scored them), over the turns of the sampled items. */
  readonly turns: number;
  readonly samplePerStrategy: number;
  readonly sampledItems: number;
  readonly totalItems: number;
}

export interface ReportExamples {
  readonly limit: number;
  /** Examples are the worst of the first `samplePerStrategy` items of each strategy (by position in the run). */
  readonly samplePerStrategy: number;
  /** Items sampled, of the run's `totalItems`. */
  readonly sampledItems: number;
  readonly totalItems: number;
  /** More candidate conversations existed than `limit`. */
  readonly truncated: boolean;
  readonly cells: readonly ExampleCell[];
  readonly conversations: readonly ExampleConversation[];
  readonly judgeScatter: readonly JudgeScatter[];
}

export interface ExampleOptions {
  /** Most conversations in all (default 200). */
  readonly limit?: number;
  /** Most conversations per cell (default 2). */
  readonly perCell?: number;
  /** Items per strategy (first by position) whose conversations are candidates (default 64). */
  readonly samplePerStrategy?: number;
  /** Items per strategy whose turns the judge-vs-judge counts cover (default 128). */
  readonly scatterSamplePerStrategy?: number;
  /** Longest text kept per message, in characters (default 8000). */
  readonly maxTextLength?: number;
}

export const EMPTY_EXAMPLES: ReportExamples = {
  limit: 0,
  samplePerStrategy: 0,
  sampledItems: 0,
  totalItems: 0,
  truncated: false,
  cells: [],
  conversations: [],
  judgeScatter: [],
};

export const TRUNCATION_MARK = "\u2026[truncated]";
