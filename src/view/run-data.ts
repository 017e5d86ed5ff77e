/** What the viewer reads from the store besides the report: run summaries, one conversation with its judgments. */
import { turnScore } from "../analysis/index.js";
import {
  conversationJudgments,
  conversationTurns,
  type Db,
  distinctItemValues,
  laterEpochs,
  pairItemIds,
  type RunItemColumn,
  type RunItemFacts,
  type RunRecord,
  runItemFacts,
  runItemLabels,
  runTurnCount,
  type TurnAggregateRow,
  turnAggregates,
} from "../store/index.js";

export interface RunFacts {
  readonly targets: readonly string[];
  readonly judges: readonly string[];
  readonly rubrics: readonly string[];
}

/** Target and judge ids from the run's frozen config (ids only: nothing else of the config reaches a page). */
export function runFacts(run: RunRecord): RunFacts {
  const config = run.config as { targets?: Array<{ id?: unknown }>; judges?: Array<{ id?: unknown }> };
  const ids = (list: Array<{ id?: unknown }> | undefined): string[] =>
    (list ?? []).flatMap((entry) => (typeof entry.id === "string" ? [entry.id] : []));
  return { targets: ids(config.targets), judges: ids(config.judges), rubrics: run.rubrics.map((rubric) => rubric.id) };
}

/** Turns stored for a run (one count over turns_by_run). */
export function turnCount(db: Db, runId: string): number {
  return runTurnCount(db, runId);
}

export type ItemFacts = RunItemFacts;

export function loadItem(db: Db, runId: string, itemId: string): ItemFacts | undefined {
  return runItemFacts(db, runId, itemId);
}

/** The other items of the same pair (the ja/en twins). */
export function twinIds(db: Db, runId: string, item: ItemFacts): string[] {
  if (item.pairId === null) return [];
  return pairItemIds(db, runId, item.pairId, item.itemId);
}

/** What one call cost: tokens (prompt-cache reads and writes apart), whether it was batched, USD (null: unpriced). */
export interface CallCost {
  readonly inputTokens: number;
  readonly cachedInputTokens: number;
  readonly cacheWriteTokens: number;
  readonly outputTokens: number;
  readonly batched: boolean;
  readonly costUsd: number | null;
}

export interface JudgmentView extends CallCost {
  readonly judgeId: string;
  readonly status: "scored" | "unscored" | "error";
  readonly score: number | null;
  readonly rationale: string | null;
  readonly unscoredReason: string | null;
  readonly errorMessage: string | null;
  readonly rubricId: string;
}

export interface TurnView extends CallCost {
  readonly turnIndex: number;
  readonly status: "success" | "error";
  readonly userMessage: string;
  readonly responseText: string | null;
  readonly errorCode: string | null;
  readonly errorStatus: number | null;
  readonly errorMessage: string | null;
  readonly judgments: readonly JudgmentView[];
  /** Mean of the scored judgments, or null (unscored). */
  readonly score: number | null;
}

/** The epochs after the first that a conversation stored (a target with `epochs`, decision 0030). */
export function storedLaterEpochs(db: Db, runId: string, targetId: string, itemId: string): number[] {
  return laterEpochs(db, runId, targetId, itemId);
}

/** Every stored turn of one conversation's epoch (default the first), each with its judgments. */
export function loadTurns(db: Db, runId: string, targetId: string, itemId: string, epoch = 0): TurnView[] {
  const turns = conversationTurns(db, runId, targetId, itemId, epoch);
  const judgments = conversationJudgments(db, runId, targetId, itemId, epoch);
  return turns.map((turn) => {
    const own = judgments
      .filter((judgment) => judgment.turnIndex === turn.turnIndex)
      .map(({ turnIndex: _turn, ...judgment }) => judgment);
    const score = turnScore(
      own.map((judgment) => (judgment.status === "scored" && judgment.score !== null ? judgment.score : Number.NaN)),
    );
    return { ...turn, judgments: own, score: Number.isNaN(score) ? null : score };
  });
}

export type TurnSummary = TurnAggregateRow;

/** Per-turn status, mean and judge spread of one conversation (covering indexes only): a row of the table. */
export function turnSummaries(
  db: Db,
  runId: string,
  rubrics: readonly string[],
  targetId: string,
  itemId: string,
): TurnSummary[] {
  return turnAggregates(db, runId, rubrics, targetId, itemId);
}

export interface ItemLabels {
  readonly language: string;
  readonly strategy: string;
  readonly guidelineId: string;
  readonly turnCount: number;
}

/** Language, strategy, guideline and planned turns of some items of a run. */
export function itemLabels(db: Db, runId: string, itemIds: readonly string[]): Map<string, ItemLabels> {
  const rows = runItemLabels(db, runId, itemIds);
  return new Map(rows.map(({ itemId, ...labels }) => [itemId, labels]));
}

/** Distinct values of an item column of a run, for the filter menus. */
export function distinctValues(db: Db, runId: string, column: RunItemColumn): string[] {
  return distinctItemValues(db, runId, column);
}
