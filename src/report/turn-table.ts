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
  /** Per judge (the table's `judges` order): its valid score at `item * turns + turn`, NaN when none. */
  readonly judgeScores: readonly Float64Array[];
  /** Per judge: its verdicts on this target's multi-turn conversations by status, and the sum of its scores. */
  readonly judgmentCounts: ReadonlyArray<{ readonly scored: number; readonly unscored: number; readonly errors: number; readonly sum: number }>;
}

/**
 * Every multi-turn conversation of a run as typed columns: item dimensions and, per target, the turn scores (mean of
 * the judges' valid scores on the multi-turn rubric) and each judge's score. Two streaming index scans per target
 * (turns, then judgments), no join; memory is 9 + 8·judges bytes per (target, item, turn): ~60 MB for 27 models ×
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

function loadTarget(db: Db, runId: string, target: TargetConfig, index: ReadonlyMap<string, number>, turns: number, judges: readonly string[]): TargetColumn {
  const size = index.size * turns;
  const scores = new Float64Array(size).fill(Number.NaN);
  const states = new Uint8Array(size);
  const judgeScores = judges.map(() => new Float64Array(size).fill(Number.NaN));
  const turnRows = db.prepare("SELECT item_id, turn_index, status FROM turns WHERE run_id = ? AND target_id = ?").raw(true);
  for (const [itemId, turn, status] of turnRows.iterate(runId, target.id) as Iterable<[string, number, string]>) {
    const item = index.get(itemId);
    if (item === undefined || turn >= turns) continue;
    states[item * turns + turn] = status === "error" ? TURN_STATE.error : TURN_STATE.unscored;
  }
  const judgeColumn = new Map(judges.map((judge, column) => [judge, column]));
  const judgmentCounts = judges.map(() => ({ scored: 0, unscored: 0, errors: 0, sum: 0 }));
  const judgmentRows = db.prepare(
    "SELECT item_id, turn_index, judge_id, status, score FROM judgments WHERE run_id = ? AND rubric_id = ? AND target_id = ?",
  ).raw(true);
  for (const [itemId, turn, judgeId, status, score] of judgmentRows.iterate(runId, DEFAULT_RUBRIC, target.id) as Iterable<[string, number, string, string, number | null]>) {
    const item = index.get(itemId);
    const judge = judgeColumn.get(judgeId) ?? -1;
    const column = judgeScores[judge];
    const counts = judgmentCounts[judge];
    if (item === undefined || column === undefined || counts === undefined || turn >= turns) continue;
    if (status === "scored" && score !== null) {
      column[item * turns + turn] = score;
      counts.scored += 1;
      counts.sum += score;
    } else if (status === "error") counts.errors += 1;
    else counts.unscored += 1;
  }
  for (let cell = 0; cell < size; cell += 1) {
    if (states[cell] !== TURN_STATE.unscored) continue;
    let sum = 0;
    let count = 0;
    for (const column of judgeScores) {
      const value = column[cell] ?? Number.NaN;
      if (!Number.isNaN(value)) {
        sum += value;
        count += 1;
      }
    }
    if (count > 0) {
      states[cell] = TURN_STATE.scored;
      scores[cell] = sum / count;
    }
  }
  return { targetId: target.id, category: target.category ?? null, fineTuneOf: target.fineTuneOf ?? null, scores, states, judgeScores, judgmentCounts };
}
