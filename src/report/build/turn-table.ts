import { turnScoreAt } from "../../analysis/index.js";
import { DEFAULT_RUBRIC } from "../../judges/index.js";
import {
  attackerCosts,
  type ConversationCostColumns,
  type CostSums,
  type Db,
  type EncodedJudgments,
  iterateTargetTurnEpochs,
  iterateTargetTurns,
  JUDGMENT_CODE,
  type ReportItemRow,
  ReviewRepository,
  type RunRecord,
  reportItemRows,
  targetJudgments,
  targetTurnSummary,
  type UsageSums,
} from "../../store/index.js";

export type { UsageSums };

/** What happened at one turn of one conversation against one target. */
export const TURN_STATE = { notReached: 0, scored: 1, unscored: 2, error: 3 } as const;

export const ITEM_DIMENSIONS = ["strategy", "guideline", "section", "attacker", "language"] as const;
export type ItemDimension = (typeof ITEM_DIMENSIONS)[number];

/** A categorical column over items: `codes[item]` indexes `labels`. */
export interface CodedColumn {
  readonly labels: readonly string[];
  readonly codes: Int32Array;
}

export interface TargetColumn {
  readonly targetId: string;
  readonly category: string | null;
  /** The target this one is a fine-tune of (config `baseModel`, or its older name `fineTuneOf`). */
  readonly baseModel: string | null;
  /**
   * Its epochs (repeated sampling, decision 0030): it answered rows whose epoch (`row % table.epochs`) is below this;
   * the rows of later epochs are not its conversations (`targetRows`).
   */
  readonly epochs: number;
  /** Turn score (mean of the judges' valid scores) at `item * turns + turn`; NaN when there is none. */
  readonly scores: Float64Array;
  /** TURN_STATE at `item * turns + turn`. */
  readonly states: Uint8Array;
  /** Per item: the mean of its scored turns (the conversation score); NaN when none is scored. */
  readonly conversationScores: Float64Array;
  /** Per judge (the table's `judges` order): its valid score at `item * turns + turn`, NaN when none. */
  readonly judgeScores: readonly Float64Array[];
  /** Per judge: its verdicts on this target's multi-turn conversations by status, and the sum of its scores. */
  readonly judgmentCounts: ReadonlyArray<{
    readonly scored: number;
    readonly unscored: number;
    readonly errors: number;
    readonly sum: number;
  }>;
  /** Usage of every stored turn of this target (all items, not only multi-turn ones). */
  readonly turnUsage: UsageSums;
  /** Usage of this target's judgments on the multi-turn rubric. */
  readonly judgmentUsage: UsageSums;
  /** The latest human review of each reviewed turn on the multi-turn rubric (always read; used for scores only when asked). */
  readonly reviews: ReviewedCells;
  /** Money and tokens of this target's calls, its multi-turn judgments and its attacker calls (see TargetCosts). */
  readonly costs: TargetCosts;
}

/** A conversation's calls as the report sums them: USD of the priced ones, all of them, the unpriced ones. */
export interface ConversationCostLists {
  /** Item ids, in item id order (conversations with at least one stored call). */
  readonly itemIds: string[];
  readonly costUsd: number[];
  readonly calls: number[];
  readonly unpricedCalls: number[];
}

/**
 * One target's money and tokens, read in the same passes as its column: every stored turn (all items), its judgments
 * on the multi-turn rubric per judge (the table's judges order), the attacker's calls, and per conversation (item) the
 * sum of the three. Judgments on other rubrics are added by the report (build-costs.ts).
 */
export interface TargetCosts {
  readonly turns: CostSums;
  readonly judges: readonly CostSums[];
  readonly attacker: CostSums;
  readonly conversations: ConversationCostLists;
}

/** Reviewed turns of one target: `scores[i]` is the latest review's score of the turn at cell `cells[i]`. */
export interface ReviewedCells {
  readonly cells: Int32Array;
  readonly scores: Float64Array;
}

/** How a target's column is loaded. */
export interface TargetLoadOptions {
  /**
   * Score a reviewed turn with its latest review instead of the judges' mean (`report --use-reviews`). The judges'
   * own scores (`judgeScores`, `judgmentCounts`) stay as they are.
   */
  readonly useReviews?: boolean;
}

/**
 * Every multi-turn conversation of a run as typed columns: item dimensions and, per target, the turn scores (mean of
 * the judges' valid scores on the multi-turn rubric) and each judge's score, read along covering indexes (see
 * loadTarget); memory is 9 + 8·judges bytes per (target, item, turn): ~60 MB for 27 models ×
 * 54,000 conversations × 3 turns × 2 judges.
 */
export interface TurnTable {
  readonly turns: number;
  /**
   * Rows per item (repeated sampling, decision 0030): the most epochs of any target, 1 without repeated sampling. A
   * row is one conversation (item × epoch), item by item: row = item position × epochs + epoch, and every per-row
   * column (`itemIds`, `turnCounts`, `pairIds`, the dimensions) repeats the item's value for each of its epochs, so
   * whatever counts or pairs rows counts and pairs conversations (item, epoch). In the `item` of the other fields
   * below, read "row".
   */
  readonly epochs: number;
  readonly itemIds: readonly string[];
  readonly turnCounts: Int32Array;
  readonly pairIds: readonly (string | null)[];
  readonly dimensions: Readonly<Record<ItemDimension, CodedColumn>>;
  readonly judges: readonly string[];
  readonly targets: readonly TargetColumn[];
}

/** Items without the metadata a dimension needs are grouped under this label. */
export const UNSPECIFIED = "(unspecified)";

export interface TargetConfig {
  id: string;
  /** Repeated sampling (decision 0030); absent: 1. */
  epochs?: number;
  category?: string;
  /** Older name of baseModel: stored run configs of earlier versions carry it. */
  fineTuneOf?: string;
  baseModel?: string;
  family?: string;
  parameters?: string;
  provider?: string;
}

/** A turn table without its target columns: the items and their dimensions (what per-target work shares). */
export type TurnItems = Omit<TurnTable, "targets">;

export function loadTurnTable(db: Db, run: RunRecord, options: TargetLoadOptions = {}): TurnTable {
  const items = loadTurnItems(db, run);
  const index = itemIndex(items);
  return {
    ...items,
    targets: targetConfigsOf(run).map((target) =>
      loadTarget(db, run.id, target, index, items.turns, items.judges, options, items.epochs),
    ),
  };
}

/** The run's multi-turn items (in run order), their dimensions and the judges of the run. */
export function loadTurnItems(db: Db, run: RunRecord): TurnItems {
  const epochs = tableEpochs(targetConfigsOf(run));
  // One row per conversation (item × epoch), an item's epochs together (decision 0030).
  const rows: readonly ReportItemRow[] = repeatRows(reportItemRows(db, run.id, DEFAULT_RUBRIC, DEFAULT_RUBRIC), epochs);
  const turns = rows.reduce((most, row) => Math.max(most, row.turnCount), 0);
  const label = (value: unknown): string => (typeof value === "string" && value !== "" ? value : UNSPECIFIED);
  const dimensions: Record<ItemDimension, CodedColumn> = {
    strategy: code(rows.map((row) => row.strategy)),
    guideline: code(rows.map((row) => row.guideline)),
    section: code(rows.map((row) => label(row.section))),
    attacker: code(rows.map((row) => label(row.attacker))),
    language: code(rows.map((row) => row.language)),
  };
  const judges = ((run.config as { judges?: Array<{ id: string }> }).judges ?? []).map((judge) => judge.id);
  return {
    turns,
    epochs,
    itemIds: rows.map((row) => row.itemId),
    turnCounts: Int32Array.from(rows, (row) => row.turnCount),
    pairIds: rows.map((row) => row.pairId),
    dimensions,
    judges,
  };
}

/** Item id → its first row in the table (its epoch 0; epoch e is that row + e). */
export function itemIndex(items: TurnItems): Map<string, number> {
  const index = new Map<string, number>();
  items.itemIds.forEach((itemId, position) => {
    if (!index.has(itemId)) index.set(itemId, position);
  });
  return index;
}

/** A target's epochs (absent or below 1: 1). */
export function epochsOf(target: Pick<TargetConfig, "epochs">): number {
  return Math.max(1, Math.floor(target.epochs ?? 1));
}

/** Rows per item: the most epochs of any target (decision 0030). */
export function tableEpochs(targets: readonly Pick<TargetConfig, "epochs">[]): number {
  return targets.reduce((most, target) => Math.max(most, epochsOf(target)), 1);
}

/** Each item's row repeated once per epoch (the same array when there is one epoch). */
function repeatRows<Row>(rows: readonly Row[], epochs: number): readonly Row[] {
  if (epochs === 1) return rows;
  return rows.flatMap((row) => Array.from({ length: epochs }, () => row));
}

/**
 * The rows that are this target's conversations: every row, or with repeated sampling (decision 0030) the rows of
 * its own epochs (a target with fewer epochs than the table has none in the later ones). What counts a target's
 * conversations iterates these.
 */
export function targetRows(
  table: Pick<TurnTable, "itemIds" | "epochs">,
  target: Pick<TargetColumn, "epochs">,
): Int32Array {
  const rows = Int32Array.from(table.itemIds, (_, row) => row);
  // Written so that a table or column built without epochs (tests, older callers) keeps every row.
  if (!(target.epochs < table.epochs)) return rows;
  return rows.filter((row) => row % table.epochs < target.epochs);
}

/** The run's targets as its frozen config lists them. */
export function targetConfigsOf(run: RunRecord): TargetConfig[] {
  return (run.config as { targets?: TargetConfig[] }).targets ?? [];
}

/** The target a target is a fine-tune of: `baseModel`, or the older `fineTuneOf` of a stored run config. */
export function baseModelOf(target: TargetConfig): string | null {
  return target.baseModel ?? target.fineTuneOf ?? null;
}

function code(values: readonly string[]): CodedColumn {
  const labels = [...new Set(values)].sort((left, right) => left.localeCompare(right, "en"));
  const position = new Map(labels.map((labelValue, index) => [labelValue, index]));
  return { labels, codes: Int32Array.from(values, (value) => position.get(value) ?? 0) };
}

/**
 * One target's column. Crossing from SQLite into JavaScript costs far more per row than SQLite's own scan, so the
 * target's judgments on the multi-turn rubric come back as one row: SQLite encodes each judgment's turn, judge
 * and status as one integer (`group_concat`) and collects item ids and scores as JSON arrays, which one
 * `JSON.parse` each turns into arrays (a quarter of a second for 320,000 judgments, where row-by-row reading
 * takes over a second). Turn rows are read only for failed turns, and judged turns are counted against answered
 * turns so that an answered turn no judge has seen yet (a cancelled run) is still found, by a full turn scan in
 * that rare case. The same passes sum the target's usage (calls, cached calls, tokens). The target's human reviews
 * (latest per turn) come in one more query; with `useReviews` a reviewed turn's score is its review's.
 * `rowsPerItem` is the table's `epochs` (repeated sampling, decision 0030: `index` gives an item's first row).
 */
export function loadTarget(
  db: Db,
  runId: string,
  target: TargetConfig,
  index: ReadonlyMap<string, number>,
  turns: number,
  judges: readonly string[],
  options: TargetLoadOptions = {},
  rowsPerItem = 1,
): TargetColumn {
  const tableRows = rowsPerItem;
  const size = index.size * tableRows * turns;
  const judgeScores = judges.map(() => new Float64Array(size).fill(Number.NaN));
  const judged = new Uint8Array(size);
  const judgmentCounts = judges.map(() => ({ scored: 0, unscored: 0, errors: 0, sum: 0 }));
  // Repeated sampling (decision 0030): a judgment's row is its item's first row + its epoch.
  const epochs = epochsOf(target);
  const encoded = targetJudgments(db, runId, DEFAULT_RUBRIC, target.id, judges, { epochs: epochs > 1 });
  const { itemIds, codes, scores: judgmentScores } = encoded;
  for (let row = 0; row < codes.length; row += 1) {
    const first = index.get(itemIds[row] ?? "");
    const code = codes[row] ?? 0;
    const turn = Math.floor(code / JUDGMENT_CODE.turn) % JUDGMENT_CODE.turn;
    const epoch = Math.floor(code / JUDGMENT_CODE.epoch);
    const judge = Math.floor((code % JUDGMENT_CODE.turn) / 4) - 1;
    const item = first === undefined || epoch >= Math.min(epochs, tableRows) ? undefined : first + epoch;
    if (item === undefined || turn >= turns || judge < 0) continue;
    const cell = item * turns + turn;
    judged[cell] = 1;
    const tally = judgmentCounts[judge] as { scored: number; unscored: number; errors: number; sum: number };
    const status = code % 4;
    if (status === JUDGMENT_CODE.unscored) tally.unscored += 1;
    else if (status === JUDGMENT_CODE.error) tally.errors += 1;
    const score = judgmentScores[row];
    if (status !== JUDGMENT_CODE.scored || typeof score !== "number") continue;
    const column = judgeScores[judge] as Float64Array;
    // One verdict per judge and turn (keys are deterministic); should there be more, the highest counts.
    if (Number.isNaN(column[cell] ?? Number.NaN)) {
      tally.scored += 1;
      tally.sum += score;
      column[cell] = score;
    } else if (score > (column[cell] ?? 0)) {
      tally.sum += score - (column[cell] ?? 0);
      column[cell] = score;
    }
  }
  const { scores, states, judgedTurns } = combineJudges(judgeScores, judged);
  const turnUsage = readTurnStates(db, runId, target.id, judgedTurns, epochs > 1, (itemId, turn, status, epoch) => {
    const first = index.get(itemId);
    if (first === undefined || turn >= turns || epoch >= Math.min(epochs, tableRows)) return;
    const item = first + epoch;
    const cell = item * turns + turn;
    if (status === "error") states[cell] = TURN_STATE.error;
    else if (states[cell] === TURN_STATE.notReached) states[cell] = TURN_STATE.unscored;
  });
  const costs = targetCosts(db, runId, target.id, encoded, turnUsage.conversations);
  const reviews = readReviews(db, runId, target.id, index, turns);
  if (options.useReviews === true) applyReviews(reviews, scores, states);
  return {
    targetId: target.id,
    epochs,
    category: target.category ?? null,
    baseModel: baseModelOf(target),
    scores,
    states,
    judgeScores,
    judgmentCounts,
    conversationScores: conversationScoresOf(scores, states, index.size * tableRows, turns),
    turnUsage: turnUsage.usage,
    judgmentUsage: encoded.usage,
    reviews,
    costs: { ...costs, turns: turnUsage.costs },
  };
}

const NO_COST: CostSums = {
  calls: 0,
  unpricedCalls: 0,
  costUsd: 0,
  inputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
  outputTokens: 0,
  batchedCalls: 0,
};

/** CostSums added field by field. */
export function addCosts(left: CostSums, right: CostSums): CostSums {
  return {
    calls: left.calls + right.calls,
    unpricedCalls: left.unpricedCalls + right.unpricedCalls,
    costUsd: left.costUsd + right.costUsd,
    inputTokens: left.inputTokens + right.inputTokens,
    cachedInputTokens: left.cachedInputTokens + right.cachedInputTokens,
    cacheWriteTokens: left.cacheWriteTokens + right.cacheWriteTokens,
    outputTokens: left.outputTokens + right.outputTokens,
    batchedCalls: left.batchedCalls + right.batchedCalls,
  };
}

/** The sum of a list of CostSums (no calls for an empty list). */
export function sumCosts(list: readonly CostSums[]): CostSums {
  return list.reduce(addCosts, NO_COST);
}

/**
 * Per conversation: the turns' sums, then each multi-turn judgment (its item and USD from the encoded row), then the
 * attacker's calls (one more query along the conversations index).
 */
function targetCosts(
  db: Db,
  runId: string,
  targetId: string,
  encoded: EncodedJudgments,
  turnConversations: ConversationCostColumns,
): Omit<TargetCosts, "turns"> {
  const conversations: ConversationCostLists = {
    itemIds: [...turnConversations.itemIds],
    costUsd: [...turnConversations.costUsd],
    calls: [...turnConversations.calls],
    unpricedCalls: [...turnConversations.unpricedCalls],
  };
  const position = new Map(conversations.itemIds.map((itemId, index) => [itemId, index]));
  encoded.itemIds.forEach((itemId, row) => {
    addConversationCall(conversations, position, itemId, 1, encoded.costs[row] ?? null);
  });
  const attackerRows = attackerCosts(db, runId, targetId);
  for (const row of attackerRows) addConversationCalls(conversations, position, row.itemId, row);
  return { judges: encoded.judgeCosts, attacker: sumCosts(attackerRows), conversations };
}

/** Adds `calls` calls of USD `cost` (null: unpriced) to a conversation, appending it when it has none yet. */
function addConversationCall(
  conversations: ConversationCostLists,
  position: Map<string, number>,
  itemId: string,
  calls: number,
  cost: number | null,
): void {
  addConversationCalls(conversations, position, itemId, {
    calls,
    unpricedCalls: cost === null ? calls : 0,
    costUsd: cost ?? 0,
  });
}

/** Adds calls (with their unpriced count and the USD of the priced ones) to a conversation. */
export function addConversationCalls(
  conversations: ConversationCostLists,
  position: Map<string, number>,
  itemId: string,
  sums: Pick<CostSums, "calls" | "unpricedCalls" | "costUsd">,
): void {
  let index = position.get(itemId);
  if (index === undefined) {
    index = conversations.itemIds.length;
    position.set(itemId, index);
    conversations.itemIds.push(itemId);
    conversations.costUsd.push(0);
    conversations.calls.push(0);
    conversations.unpricedCalls.push(0);
  }
  conversations.costUsd[index] = (conversations.costUsd[index] ?? 0) + sums.costUsd;
  conversations.calls[index] = (conversations.calls[index] ?? 0) + sums.calls;
  conversations.unpricedCalls[index] = (conversations.unpricedCalls[index] ?? 0) + sums.unpricedCalls;
}

/** The latest review of each of the target's turns in the table, on the multi-turn rubric (one indexed query). */
function readReviews(
  db: Db,
  runId: string,
  targetId: string,
  index: ReadonlyMap<string, number>,
  turns: number,
): ReviewedCells {
  const cells: number[] = [];
  const scores: number[] = [];
  for (const review of new ReviewRepository(db).latestByTurn(runId, DEFAULT_RUBRIC, targetId)) {
    const item = index.get(review.itemId);
    if (item === undefined || review.turnIndex >= turns) continue;
    cells.push(item * turns + review.turnIndex);
    scores.push(review.score);
  }
  return { cells: Int32Array.from(cells), scores: Float64Array.from(scores) };
}

/** A reviewed turn that was answered (scored or unscored by the judges) takes its review's score; a failed turn stays failed. */
function applyReviews(reviews: ReviewedCells, scores: Float64Array, states: Uint8Array): void {
  reviews.cells.forEach((cell, position) => {
    if (states[cell] !== TURN_STATE.scored && states[cell] !== TURN_STATE.unscored) return;
    scores[cell] = reviews.scores[position] ?? Number.NaN;
    states[cell] = TURN_STATE.scored;
  });
}

/** Turn score (analysis `turnScore`: the mean of the judges' valid scores); a turn some judge saw but none scored is unscored. */
function combineJudges(
  judgeScores: readonly Float64Array[],
  judged: Uint8Array,
): { scores: Float64Array; states: Uint8Array; judgedTurns: number } {
  const scores = new Float64Array(judged.length).fill(Number.NaN);
  const states = new Uint8Array(judged.length);
  let judgedTurns = 0;
  for (let cell = 0; cell < judged.length; cell += 1) {
    if (judged[cell] === 0) continue;
    judgedTurns += 1;
    const score = turnScoreAt(judgeScores, cell);
    states[cell] = Number.isNaN(score) ? TURN_STATE.unscored : TURN_STATE.scored;
    scores[cell] = score;
  }
  return { scores, states, judgedTurns };
}

/**
 * Marks failed turns (and, when some answered turn has no judgment, every stored turn); returns the turns' usage,
 * costs and per-item costs.
 */
function readTurnStates(
  db: Db,
  runId: string,
  targetId: string,
  judgedTurns: number,
  repeated: boolean,
  mark: (itemId: string, turn: number, status: string, epoch: number) => void,
): { usage: UsageSums; costs: CostSums; conversations: ConversationCostColumns } {
  const summary = targetTurnSummary(db, runId, targetId);
  if (repeated) {
    // Several epochs (decision 0030): the failed turns' list does not say which epoch failed; one scan of the
    // target's turns does (only for targets with repeated sampling).
    for (const [itemId, turn, status, epoch] of iterateTargetTurnEpochs(db, runId, targetId)) {
      if (status === "error" || summary.answered > judgedTurns) mark(itemId, turn, status, epoch);
    }
  } else {
    for (let index = 0; index < summary.failedItems.length; index += 1)
      mark(summary.failedItems[index] ?? "", summary.failedTurns[index] ?? 0, "error", 0);
    if (summary.answered > judgedTurns) {
      for (const [itemId, turn, status] of iterateTargetTurns(db, runId, targetId)) mark(itemId, turn, status, 0);
    }
  }
  return { usage: summary.usage, costs: summary.costs, conversations: summary.conversations };
}

function conversationScoresOf(scores: Float64Array, states: Uint8Array, items: number, turns: number): Float64Array {
  const conversationScores = new Float64Array(items);
  for (let item = 0; item < items; item += 1) {
    let sum = 0;
    let scored = 0;
    for (let turn = 0; turn < turns; turn += 1) {
      if (states[item * turns + turn] !== TURN_STATE.scored) continue;
      sum += scores[item * turns + turn] ?? 0;
      scored += 1;
    }
    conversationScores[item] = scored === 0 ? Number.NaN : sum / scored;
  }
  return conversationScores;
}
