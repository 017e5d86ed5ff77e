import { turnScore } from "../analysis/index.js";
import { MedsafetyError, turnNumber } from "../core/index.js";
import { DEFAULT_RUBRIC } from "../judges/index.js";
import type { ExportItemRow, ExportTurnRow, ExportVerdictRow } from "../store/index.js";

/**
 * The rows of `medsafety export results`: one per item × target × epoch × turn, as a nested object (the JSONL
 * record) and as flat typed columns (CSV and Parquet), both built here so the formats cannot drift apart.
 */

/** A call's failure as stored: HTTP status, the project's error code, the message. */
export interface ExportedError {
  readonly status: number | null;
  readonly code: string | null;
  readonly message: string | null;
}

/** Tokens, time and how a call was served. */
export interface ExportedUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedInputTokens: number;
  readonly cacheWriteTokens: number;
  readonly latencyMs: number;
  readonly cached: boolean;
  readonly batched: boolean;
  readonly attempts: number;
}

/** One judge's verdict on the turn. */
export interface ExportedVerdict {
  readonly judge: string;
  readonly rubric: string;
  readonly rubricVersion: string;
  /** scored (a score), unscored (an answer that is not a verdict: `unscoredReason`), error (the call failed: `error`). */
  readonly status: "scored" | "unscored" | "error";
  readonly score: number | null;
  readonly label: string | null;
  readonly subScores: Readonly<Record<string, number>> | null;
  readonly categories: readonly string[] | null;
  readonly rationale: string | null;
  readonly unscoredReason: string | null;
  readonly error: ExportedError | null;
  /** USD at the binding's price; null: unpriced (never 0 for a hosted model). */
  readonly costUsd: number | null;
  readonly usage: ExportedUsage;
}

/** Where an item comes from: its fields and metadata, without its user turns. */
export interface ExportedItem {
  readonly language: string;
  readonly pairId: string | null;
  readonly guidelineId: string;
  readonly guidelineSection: string | null;
  readonly strategy: string;
  readonly attacker: string | null;
  readonly source: string | null;
  readonly seedId: string | null;
  /** The rubric the item asks judges to apply (the default rubric when the item names none). */
  readonly rubric: string;
  readonly seedRequest: string | null;
  readonly turnCount: number;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** What a turn is for the statistics: as the report's turn table counts it. */
export type ExportedTurnState = "scored" | "unscored" | "error";

/** One exported row (the JSONL record). Turns and epochs are numbered from 1. */
export interface ResultRow {
  readonly runId: string;
  readonly targetId: string;
  readonly itemId: string;
  readonly itemVersion: string;
  readonly epoch: number;
  readonly turn: number;
  readonly benchmark: { readonly source: string; readonly hash: string };
  readonly item: ExportedItem;
  readonly userMessage: string;
  /** The target's reply; null when the call failed (`status` error, `error` says why). */
  readonly reply: string | null;
  readonly status: "success" | "error";
  readonly finishReason: string | null;
  readonly error: ExportedError | null;
  readonly costUsd: number | null;
  readonly usage: ExportedUsage;
  /** Turn score on the item's rubric: the mean of the valid scores of the judges on it (analysis `turnScore`). */
  readonly turnScore: number | null;
  readonly turnState: ExportedTurnState;
  /** Turn score per rubric the turn's verdicts used (a judge bound to another rubric scores on its own scale). */
  readonly turnScores: Readonly<Record<string, number | null>>;
  /** USD of the turn's priced verdicts, and how many verdicts are unpriced (never summed as 0). */
  readonly judgmentsCostUsd: number;
  readonly judgmentsUnpriced: number;
  readonly verdicts: readonly ExportedVerdict[];
}

/** The run facts every row repeats. */
export interface RunFacts {
  readonly runId: string;
  readonly datasetSource: string;
  readonly datasetHash: string;
}

/** The epoch number people and files see: stored epoch 0 is epoch 1 (as turns). */
export function epochNumber(epoch: number): number {
  return epoch + 1;
}

function metadataText(metadata: Readonly<Record<string, unknown>>, ...keys: string[]): string | null {
  for (const key of keys) {
    const value = metadata[key];
    if (typeof value === "string" && value !== "") return value;
  }
  return null;
}

/** An item's provenance as exported. */
export function exportedItem(item: ExportItemRow): ExportedItem {
  const { metadata } = item;
  return {
    language: item.language,
    pairId: item.pairId,
    guidelineId: item.guidelineId,
    guidelineSection: metadataText(metadata, "guidelineSection", "section"),
    strategy: item.strategy,
    attacker: metadataText(metadata, "attacker"),
    source: metadataText(metadata, "source"),
    seedId: metadataText(metadata, "seedId"),
    rubric: item.rubric ?? DEFAULT_RUBRIC,
    seedRequest: item.seedRequest,
    turnCount: item.turnCount,
    metadata,
  };
}

function usageOf(call: ExportTurnRow | ExportVerdictRow): ExportedUsage {
  return {
    inputTokens: call.inputTokens,
    outputTokens: call.outputTokens,
    cachedInputTokens: call.cachedInputTokens,
    cacheWriteTokens: call.cacheWriteTokens,
    latencyMs: call.latencyMs,
    cached: call.cached,
    batched: call.batched,
    attempts: call.attempts,
  };
}

function errorOf(call: ExportTurnRow | ExportVerdictRow): ExportedError | null {
  return call.errorStatus === null && call.errorCode === null && call.errorMessage === null
    ? null
    : { status: call.errorStatus, code: call.errorCode, message: call.errorMessage };
}

function verdictOf(verdict: ExportVerdictRow): ExportedVerdict {
  return {
    judge: verdict.judgeId,
    rubric: verdict.rubricId,
    rubricVersion: verdict.rubricVersion,
    status: verdict.status,
    score: verdict.score,
    label: verdict.label,
    subScores: verdict.details?.subScores ?? null,
    categories: verdict.details?.categories ?? null,
    rationale: verdict.rationale,
    unscoredReason: verdict.unscoredReason,
    error: errorOf(verdict),
    costUsd: verdict.costUsd,
    usage: usageOf(verdict),
  };
}

/**
 * The turn score on one rubric exactly as the report's turn table computes it: each judge's valid score (NaN for an
 * unscored or failed verdict) through analysis `turnScore`, the mean of the valid ones; null when none is valid.
 */
export function rubricTurnScore(verdicts: readonly ExportVerdictRow[], rubricId: string): number | null {
  const scores = verdicts
    .filter((verdict) => verdict.rubricId === rubricId)
    .map((verdict) => (verdict.status === "scored" && verdict.score !== null ? verdict.score : Number.NaN));
  const score = turnScore(scores);
  return Number.isNaN(score) ? null : score;
}

/**
 * The state the report gives the turn: a failed call is `error` whatever its verdicts; an answered turn is `scored`
 * when some judge gave a valid score on the item's rubric, else `unscored` (judged without a valid score, or not
 * judged yet).
 */
function turnStateOf(turn: ExportTurnRow, score: number | null): ExportedTurnState {
  if (turn.status === "error") return "error";
  return score === null ? "unscored" : "scored";
}

/** One exported row from a stored turn, its item and the run. */
export function resultRow(run: RunFacts, item: ExportItemRow, turn: ExportTurnRow): ResultRow {
  const exported = exportedItem(item);
  const score = rubricTurnScore(turn.verdicts, exported.rubric);
  const rubrics = [...new Set(turn.verdicts.map((verdict) => verdict.rubricId))].sort();
  let judgmentsCostUsd = 0;
  let judgmentsUnpriced = 0;
  for (const verdict of turn.verdicts) {
    if (verdict.costUsd === null) judgmentsUnpriced += 1;
    else judgmentsCostUsd += verdict.costUsd;
  }
  return {
    runId: run.runId,
    targetId: turn.targetId,
    itemId: turn.itemId,
    itemVersion: item.itemVersion,
    epoch: epochNumber(turn.epoch),
    turn: turnNumber(turn.turnIndex),
    benchmark: { source: run.datasetSource, hash: run.datasetHash },
    item: exported,
    userMessage: turn.userMessage,
    reply: turn.responseText,
    status: turn.status,
    finishReason: turn.finishReason,
    error: errorOf(turn),
    costUsd: turn.costUsd,
    usage: usageOf(turn),
    turnScore: score,
    turnState: turnStateOf(turn, score),
    turnScores: Object.fromEntries(rubrics.map((rubricId) => [rubricId, rubricTurnScore(turn.verdicts, rubricId)])),
    judgmentsCostUsd,
    judgmentsUnpriced,
    verdicts: turn.verdicts.map(verdictOf),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Flat columns (CSV, Parquet)

/** A flat column's type: Parquet INT32 / DOUBLE / BOOLEAN / STRING (UTF-8); every column is nullable. */
export type ColumnType = "int" | "double" | "boolean" | "string";

export type CellValue = string | number | boolean | null;

/** One flat column: its name, type and how a row fills it. */
export interface ResultColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly cell: (row: ResultRow) => CellValue;
}

/** What decides the flat columns: the run's judges (in order), their sub-score names, and the rubrics judged. */
export interface ColumnLayout {
  readonly judges: readonly string[];
  readonly subScores: Readonly<Record<string, readonly string[]>>;
  /** Rubrics with verdicts in the run; with more than one, each gets a `turn_score_<rubric>` column. */
  readonly rubrics: readonly string[];
}

const json = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

function usageColumns(prefix: string, usage: (row: ResultRow) => ExportedUsage | undefined): ResultColumn[] {
  const field =
    <K extends keyof ExportedUsage>(key: K) =>
    (row: ResultRow): CellValue =>
      usage(row)?.[key] ?? null;
  return [
    { name: `${prefix}input_tokens`, type: "int", cell: field("inputTokens") },
    { name: `${prefix}output_tokens`, type: "int", cell: field("outputTokens") },
    { name: `${prefix}cached_input_tokens`, type: "int", cell: field("cachedInputTokens") },
    { name: `${prefix}cache_write_tokens`, type: "int", cell: field("cacheWriteTokens") },
    { name: `${prefix}latency_ms`, type: "double", cell: field("latencyMs") },
    { name: `${prefix}cached`, type: "boolean", cell: field("cached") },
    { name: `${prefix}batched`, type: "boolean", cell: field("batched") },
    { name: `${prefix}attempts`, type: "int", cell: field("attempts") },
  ];
}

const BASE_COLUMNS: readonly ResultColumn[] = [
  { name: "run_id", type: "string", cell: (row) => row.runId },
  { name: "target_id", type: "string", cell: (row) => row.targetId },
  { name: "item_id", type: "string", cell: (row) => row.itemId },
  { name: "epoch", type: "int", cell: (row) => row.epoch },
  { name: "turn", type: "int", cell: (row) => row.turn },
  { name: "item_version", type: "string", cell: (row) => row.itemVersion },
  { name: "benchmark_source", type: "string", cell: (row) => row.benchmark.source },
  { name: "benchmark_hash", type: "string", cell: (row) => row.benchmark.hash },
  { name: "language", type: "string", cell: (row) => row.item.language },
  { name: "pair_id", type: "string", cell: (row) => row.item.pairId },
  { name: "guideline_id", type: "string", cell: (row) => row.item.guidelineId },
  { name: "guideline_section", type: "string", cell: (row) => row.item.guidelineSection },
  { name: "strategy", type: "string", cell: (row) => row.item.strategy },
  { name: "attacker", type: "string", cell: (row) => row.item.attacker },
  { name: "source", type: "string", cell: (row) => row.item.source },
  { name: "seed_id", type: "string", cell: (row) => row.item.seedId },
  { name: "rubric", type: "string", cell: (row) => row.item.rubric },
  { name: "turn_count", type: "int", cell: (row) => row.item.turnCount },
  { name: "seed_request", type: "string", cell: (row) => row.item.seedRequest },
  { name: "item_metadata", type: "string", cell: (row) => json(row.item.metadata) },
  { name: "user_message", type: "string", cell: (row) => row.userMessage },
  { name: "reply", type: "string", cell: (row) => row.reply },
  { name: "status", type: "string", cell: (row) => row.status },
  { name: "finish_reason", type: "string", cell: (row) => row.finishReason },
  { name: "error_status", type: "int", cell: (row) => row.error?.status ?? null },
  { name: "error_code", type: "string", cell: (row) => row.error?.code ?? null },
  { name: "error_message", type: "string", cell: (row) => row.error?.message ?? null },
  { name: "cost_usd", type: "double", cell: (row) => row.costUsd },
  ...usageColumns("", (row) => row.usage),
  { name: "turn_score", type: "double", cell: (row) => row.turnScore },
  { name: "turn_state", type: "string", cell: (row) => row.turnState },
  { name: "judgments_cost_usd", type: "double", cell: (row) => row.judgmentsCostUsd },
  { name: "judgments_unpriced", type: "int", cell: (row) => row.judgmentsUnpriced },
];

function judgeColumns(judge: string, subScores: readonly string[]): ResultColumn[] {
  const verdict = (row: ResultRow): ExportedVerdict | undefined => row.verdicts.find((entry) => entry.judge === judge);
  const column = (suffix: string, type: ColumnType, cell: (entry: ExportedVerdict) => CellValue): ResultColumn => ({
    name: `${judge}_${suffix}`,
    type,
    cell: (row) => {
      const entry = verdict(row);
      return entry === undefined ? null : cell(entry);
    },
  });
  return [
    column("status", "string", (entry) => entry.status),
    column("score", "double", (entry) => entry.score),
    column("label", "string", (entry) => entry.label),
    column("rubric", "string", (entry) => entry.rubric),
    column("rubric_version", "string", (entry) => entry.rubricVersion),
    column("rationale", "string", (entry) => entry.rationale),
    column("unscored_reason", "string", (entry) => entry.unscoredReason),
    column("error_status", "int", (entry) => entry.error?.status ?? null),
    column("error_code", "string", (entry) => entry.error?.code ?? null),
    column("error_message", "string", (entry) => entry.error?.message ?? null),
    column("categories", "string", (entry) => json(entry.categories)),
    column("cost_usd", "double", (entry) => entry.costUsd),
    ...usageColumns(`${judge}_`, (row) => verdict(row)?.usage),
    ...subScores.map((name) => column(`sub_${name}`, "double", (entry) => entry.subScores?.[name] ?? null)),
  ];
}

/**
 * The flat columns for a layout: the row's ids, provenance, turn, turn score and cost, then (with several rubrics)
 * one turn score per rubric, then per judge a group `<judge>_status`, `_score`, `_label`, `_rubric`, ... and one
 * `<judge>_sub_<name>` per sub-score. They depend only on the layout, never on the rows. Names must be unique: a
 * judge id that makes two columns share a name is refused, naming both.
 */
export function resultColumns(layout: ColumnLayout): ResultColumn[] {
  const rubricColumns: ResultColumn[] =
    layout.rubrics.length > 1
      ? layout.rubrics.map((rubricId) => ({
          name: `turn_score_${rubricId}`,
          type: "double",
          cell: (row: ResultRow) => row.turnScores[rubricId] ?? null,
        }))
      : [];
  const columns = [
    ...BASE_COLUMNS,
    ...rubricColumns,
    ...layout.judges.flatMap((judge) => judgeColumns(judge, layout.subScores[judge] ?? [])),
  ];
  const seen = new Set<string>();
  for (const column of columns) {
    if (seen.has(column.name)) {
      throw new MedsafetyError(
        "config_invalid",
        `Two columns of the flat export would both be named "${column.name}" (a judge id or sub-score name repeats another column's name). Export with --format jsonl, whose verdicts are nested, or rename the judge in the run's config for the next run.`,
      );
    }
    seen.add(column.name);
  }
  return columns;
}

/** A row's cells in column order. */
export function flattenRow(row: ResultRow, columns: readonly ResultColumn[]): CellValue[] {
  return columns.map((column) => column.cell(row));
}
