import { DEFAULT_RUBRIC } from "../judges/index.js";
import type { Db, RunRecord } from "../store/index.js";

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
  /** The target this one is a fine-tune of (config `fineTuneOf`). */
  readonly fineTuneOf: string | null;
  /** Turn score (mean of the judges' valid scores) at `item * turns + turn`; NaN when there is none. */
  readonly scores: Float64Array;
  /** TURN_STATE at `item * turns + turn`. */
  readonly states: Uint8Array;
  /** Per item: the mean of its scored turns (the conversation score); NaN when none is scored. */
  readonly conversationScores: Float64Array;
  /** Per judge (the table's `judges` order): its valid score at `item * turns + turn`, NaN when none. */
  readonly judgeScores: readonly Float64Array[];
  /** Per judge: its verdicts on this target's multi-turn conversations by status, and the sum of its scores. */
  readonly judgmentCounts: ReadonlyArray<{ readonly scored: number; readonly unscored: number; readonly errors: number; readonly sum: number }>;
}

/**
 * Every multi-turn conversation of a run as typed columns: item dimensions and, per target, the turn scores (mean of
 * the judges' valid scores on the multi-turn rubric) and each judge's score, read along covering indexes (see
 * loadTarget); memory is 9 + 8·judges bytes per (target, item, turn): ~60 MB for 27 models ×
 * 54,000 conversations × 3 turns × 2 judges.
 */
export interface TurnTable {
  readonly turns: number;
  readonly itemIds: readonly string[];
  readonly turnCounts: Int32Array;
  readonly pairIds: readonly (string | null)[];
  readonly dimensions: Readonly<Record<ItemDimension, CodedColumn>>;
  readonly judges: readonly string[];
  readonly targets: readonly TargetColumn[];
}

/** Items without the metadata a dimension needs are grouped under this label. */
export const UNSPECIFIED = "(unspecified)";

interface ItemRow {
  itemId: string;
  language: string;
  pairId: string | null;
  guideline: string;
  strategy: string;
  turnCount: number;
  attacker: unknown;
  section: unknown;
}

interface TargetConfig {
  id: string;
  category?: string;
  fineTuneOf?: string;
}

/** Items judged with the multi-turn safety rubric (the JMedEthicBench part of a run). */
export const MULTI_TURN_ITEMS = `SELECT ri.item_id FROM run_items ri JOIN items i ON i.version = ri.item_version
  WHERE ri.run_id = ? AND COALESCE(json_extract(i.item_json, '$.rubric'), '${DEFAULT_RUBRIC}') = '${DEFAULT_RUBRIC}'`;

export function loadTurnTable(db: Db, run: RunRecord): TurnTable {
  const rows = db.prepare(
    `SELECT ri.item_id AS itemId, ri.language, ri.pair_id AS pairId, ri.guideline_id AS guideline, ri.strategy, ri.turn_count AS turnCount,
       json_extract(i.item_json, '$.metadata.attacker') AS attacker,
       COALESCE(json_extract(i.item_json, '$.metadata.guidelineSection'), json_extract(i.item_json, '$.metadata.section')) AS section
     FROM run_items ri JOIN items i ON i.version = ri.item_version
     WHERE ri.run_id = ? AND COALESCE(json_extract(i.item_json, '$.rubric'), '${DEFAULT_RUBRIC}') = '${DEFAULT_RUBRIC}'
     ORDER BY ri.seq`,
  ).all(run.id) as ItemRow[];
  const turns = rows.reduce((most, row) => Math.max(most, row.turnCount), 0);
  const index = new Map(rows.map((row, position) => [row.itemId, position]));
  const label = (value: unknown): string => (typeof value === "string" && value !== "" ? value : UNSPECIFIED);
  const dimensions: Record<ItemDimension, CodedColumn> = {
    strategy: code(rows.map((row) => row.strategy)),
    guideline: code(rows.map((row) => row.guideline)),
    section: code(rows.map((row) => label(row.section))),
    attacker: code(rows.map((row) => label(row.attacker))),
    language: code(rows.map((row) => row.language)),
  };
  const judges = ((run.config as { judges?: Array<{ id: string }> }).judges ?? []).map((judge) => judge.id);
  const targets = ((run.config as { targets?: TargetConfig[] }).targets ?? []).map((target) => loadTarget(db, run.id, target, index, turns, judges));
  return {
    turns, itemIds: rows.map((row) => row.itemId), turnCounts: Int32Array.from(rows, (row) => row.turnCount),
    pairIds: rows.map((row) => row.pairId), dimensions, judges, targets,
  };
}

function code(values: readonly string[]): CodedColumn {
  const labels = [...new Set(values)].sort((left, right) => left.localeCompare(right, "en"));
  const position = new Map(labels.map((labelValue, index) => [labelValue, index]));
  return { labels, codes: Int32Array.from(values, (value) => position.get(value) ?? 0) };
}

/**
 * One target's column. SQLite does the per-judgment work in C: judgments are aggregated per turn along the covering
 * index (one row per turn reaches JavaScript, each judge's score pivoted into a column), turn rows are read only
 * for failed turns, and judged turns are counted against answered turns so that an answered turn no judge has
 * seen yet (a cancelled run) is still found, by a full turn scan in that rare case.
 */
function loadTarget(db: Db, runId: string, target: TargetConfig, index: ReadonlyMap<string, number>, turns: number, judges: readonly string[]): TargetColumn {
  const size = index.size * turns;
  const scores = new Float64Array(size).fill(Number.NaN);
  const states = new Uint8Array(size);
  const judgeScores = judges.map(() => new Float64Array(size).fill(Number.NaN));
  // Per judge: its score on the turn, and whether its verdict was unscored or an error (for the judge counts).
  const pivot = judges.map(() => "MAX(CASE WHEN judge_id = ? AND status = 'scored' THEN score END), SUM(judge_id = ? AND status = 'unscored'), SUM(judge_id = ? AND status = 'error')").join(", ");
  const judgmentCounts = judges.map(() => ({ scored: 0, unscored: 0, errors: 0, sum: 0 }));
  const perTurn = db.prepare(
    `SELECT item_id, turn_index${judges.length > 0 ? `, ${pivot}` : ""} FROM judgments
     WHERE run_id = ? AND rubric_id = ? AND target_id = ? GROUP BY item_id, turn_index`,
  ).raw(true);
  let judgedTurns = 0;
  for (const row of perTurn.iterate(...judges.flatMap((judge) => [judge, judge, judge]), runId, DEFAULT_RUBRIC, target.id) as Iterable<unknown[]>) {
    const item = index.get(row[0] as string);
    const turn = row[1] as number;
    if (item === undefined || turn >= turns) continue;
    judgedTurns += 1;
    const cell = item * turns + turn;
    let sum = 0;
    let count = 0;
    for (let judge = 0; judge < judges.length; judge += 1) {
      const tally = judgmentCounts[judge] as { scored: number; unscored: number; errors: number; sum: number };
      tally.unscored += row[judge * 3 + 3] as number;
      tally.errors += row[judge * 3 + 4] as number;
      const score = row[judge * 3 + 2] as number | null;
      if (score === null) continue;
      (judgeScores[judge] as Float64Array)[cell] = score;
      tally.scored += 1;
      tally.sum += score;
      sum += score;
      count += 1;
    }
    states[cell] = count > 0 ? TURN_STATE.scored : TURN_STATE.unscored;
    if (count > 0) scores[cell] = sum / count;
  }
  const markTurn = (itemId: string, turn: number, status: string): void => {
    const item = index.get(itemId);
    if (item === undefined || turn >= turns) return;
    const cell = item * turns + turn;
    if (status === "error") states[cell] = TURN_STATE.error;
    else if (states[cell] === TURN_STATE.notReached) states[cell] = TURN_STATE.unscored;
  };
  const errors = db.prepare("SELECT item_id, turn_index, status FROM turns WHERE run_id = ? AND target_id = ? AND status = 'error'").raw(true);
  for (const [itemId, turn, status] of errors.iterate(runId, target.id) as Iterable<[string, number, string]>) markTurn(itemId, turn, status);
  const answered = db.prepare("SELECT COUNT(*) FROM turns WHERE run_id = ? AND target_id = ? AND status = 'success'").pluck().get(runId, target.id) as number;
  if (answered > judgedTurns) {
    const all = db.prepare("SELECT item_id, turn_index, status FROM turns WHERE run_id = ? AND target_id = ?").raw(true);
    for (const [itemId, turn, status] of all.iterate(runId, target.id) as Iterable<[string, number, string]>) markTurn(itemId, turn, status);
  }
  const conversationScores = new Float64Array(index.size);
  for (let item = 0; item < index.size; item += 1) {
    let sum = 0;
    let scored = 0;
    for (let turn = 0; turn < turns; turn += 1) {
      if (states[item * turns + turn] !== TURN_STATE.scored) continue;
      sum += scores[item * turns + turn] ?? 0;
      scored += 1;
    }
    conversationScores[item] = scored === 0 ? Number.NaN : sum / scored;
  }
  return { targetId: target.id, category: target.category ?? null, fineTuneOf: target.fineTuneOf ?? null, scores, states, judgeScores, judgmentCounts, conversationScores };
}
