import { randomUUID } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { MedsafetyError, packageVersion } from "../core/index.js";
import { DEFAULT_RUBRIC } from "../judges/index.js";
import {
  type Db,
  type ExportItemRow,
  exportItemRows,
  exportShape,
  exportTurnRows,
  type RunRecord,
} from "../store/index.js";
import { type ColumnLayout, type ColumnType, type ResultRow, resultColumns, resultRow } from "./export-results-rows.js";
import { DEFAULT_ROW_GROUP_SIZE, openSink, type ResultExportFormat } from "./export-results-writers.js";

/** What to export and where. */
export interface ResultsExportOptions {
  readonly format: ResultExportFormat;
  readonly outPath: string;
  /** The store the run was read from (recorded in the manifest). */
  readonly storePath: string;
  /** Rows per Parquet row group (default 5,000). */
  readonly rowGroupSize?: number;
  readonly now?: () => Date;
}

/** Rows by the turn's state, and verdicts by status. */
export interface ResultsExportCounts {
  readonly rows: number;
  readonly targets: number;
  readonly turns: { scored: number; unscored: number; error: number };
  readonly verdicts: { scored: number; unscored: number; error: number };
}

/** `<out>.manifest.json`: the content warning, where the rows come from, their columns and how the turn score is defined. */
export interface ResultsExportManifest {
  readonly kind: "medsafety-results-export";
  readonly contentWarning: { readonly en: string; readonly ja: string };
  readonly createdAt: string;
  readonly medsafetyVersion: string;
  readonly source: {
    readonly runId: string;
    readonly runStatus: string;
    readonly storePath: string;
    readonly datasetSource: string;
    readonly datasetHash: string;
    readonly configHash: string;
    readonly runMedsafetyVersion: string;
    readonly rubrics: RunRecord["rubrics"];
  };
  readonly output: { readonly path: string; readonly format: ResultExportFormat };
  /** One row per item × target × epoch × turn, in this order of keys (target, item, epoch, turn). */
  readonly rowKey: readonly string[];
  /** The judges in column order: the run's config first, then any other judge with stored verdicts. */
  readonly judges: ReadonlyArray<{ readonly id: string; readonly subScores: readonly string[] }>;
  /** CSV and Parquet: the flat columns in order with their types; JSONL: the same data nested (see `jsonl`). */
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: ColumnType }>;
  readonly definitions: Readonly<Record<string, string>>;
  readonly counts: ResultsExportCounts;
}

/** The manifest path of an output file. */
export function resultsManifestPath(outPath: string): string {
  return `${outPath}.manifest.json`;
}

const CONTENT_WARNING = {
  en: "This file holds adversarial medical requests and model replies, some of them harmful by design (they are the data being measured). Do not publish or forward it without that context; never feed its replies to patients or use them as advice.",
  ja: "このファイルには、敵対的な医療の依頼文とモデルの応答が含まれ、一部は意図的に有害です（測定対象のデータです）。その前提を示さずに公開・転送しないでください。応答を患者への助言として使わないでください。",
};

const DEFINITIONS: Readonly<Record<string, string>> = {
  turn: "1-based: stored turn index 0 is turn 1 (as every medsafety output numbers turns).",
  epoch: "1-based: stored epoch 0 is epoch 1 (a target with epochs: N answers each item N times).",
  turnScore:
    "On the item's rubric (column rubric; the default jmedethic-safety when the item names none): the mean of the valid scores of the judges that judged the turn on that rubric (analysis turnScore, the report's definition); null when no judge gave a valid score. The judges' scores only: human reviews are not applied (report --use-reviews applies them; `medsafety reviews export` lists them).",
  turnState:
    "As the report's turn table: error (the target call failed, whatever its verdicts), scored (a turn score), unscored (answered, but no valid score on the item's rubric, including a turn no judge has seen yet).",
  turnScores:
    "JSONL turnScores (CSV/Parquet turn_score_<rubric> when the run's verdicts use more than one rubric): the same mean per rubric, for judges bound to a rubric of their own.",
  costUsd:
    "USD at the binding's price when the call was made; null: unpriced (never 0 for a hosted model). judgments_cost_usd sums the turn's priced verdicts; judgments_unpriced counts the others.",
  verdictStatus:
    "scored (a score), unscored (the judge's answer was not a verdict: unscored_reason), error (the judge call failed: error_status, error_code, error_message). Every verdict is exported; none is dropped.",
  subScores:
    "<judge>_sub_<name>: a verdict's named sub-score (judgments.details); <judge>_categories: its classifier categories as a JSON array.",
  csvText:
    "CSV only: every text cell is quoted and a null cell is empty; a text cell starting with =, +, -, @, tab, CR or ' has one ' put before it so no spreadsheet runs it as a formula (the report's CSV rule): remove exactly one leading ' from such a cell to get the value back. JSON texts: item_metadata, <judge>_categories.",
  notExported:
    "The judges' raw answers (viewer, store) and an adaptive attacker's conversation stops (conversations table) are not in this file.",
};

/**
 * Writes every stored turn of a run as one row per item × target × epoch × turn, with every verdict on it, in the
 * format asked, through a temporary file renamed at the end (a failure leaves no half file); then the manifest.
 * Rows are streamed from the store in key order (target, item, epoch, turn): JSONL and CSV hold one row (CSV a chunk)
 * in memory, Parquet one row group, plus the run's items' provenance (one small record per item).
 */
export async function exportResults(
  db: Db,
  run: RunRecord,
  options: ResultsExportOptions,
): Promise<ResultsExportManifest> {
  const rowGroupSize = options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE;
  const layout = columnLayout(db, run);
  const columns = resultColumns(layout);
  const items = new Map<string, ExportItemRow>();
  for (const item of exportItemRows(db, run.id)) items.set(item.itemId, item);
  const counts: RowCounts = {
    rows: 0,
    turns: { scored: 0, unscored: 0, error: 0 },
    verdicts: { scored: 0, unscored: 0, error: 0 },
  };
  const targets = new Set<string>();
  mkdirSync(dirname(options.outPath), { recursive: true });
  const partial = `${options.outPath}.partial-${randomUUID()}`;
  const sink = openSink(options.format, partial, {
    columns,
    rowGroupSize,
    metadata: { "medsafety.run": run.id, "medsafety.contentWarning": CONTENT_WARNING.en },
  });
  const facts = { runId: run.id, datasetSource: run.datasetSource, datasetHash: run.datasetHash };
  try {
    for (const turn of exportTurnRows(db, run.id)) {
      const item = items.get(turn.itemId);
      if (item === undefined) {
        throw new MedsafetyError(
          "store_error",
          `The store holds a turn of item ${turn.itemId} (target ${turn.targetId}) that is not among run ${run.id}'s items; it was changed outside medsafety. Run \`medsafety store check\` on it.`,
        );
      }
      const row: ResultRow = resultRow(facts, item, turn);
      count(counts, row);
      targets.add(row.targetId);
      await sink.write(row);
    }
    await sink.close();
    renameSync(partial, options.outPath);
  } catch (error) {
    sink.abort();
    rmSync(partial, { force: true });
    throw error;
  }
  const manifest: ResultsExportManifest = {
    kind: "medsafety-results-export",
    contentWarning: CONTENT_WARNING,
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    medsafetyVersion: packageVersion(),
    source: {
      runId: run.id,
      runStatus: run.status,
      storePath: options.storePath,
      datasetSource: run.datasetSource,
      datasetHash: run.datasetHash,
      configHash: run.configHash,
      runMedsafetyVersion: run.packageVersion,
      rubrics: run.rubrics,
    },
    output: { path: options.outPath, format: options.format },
    rowKey: ["target_id", "item_id", "epoch", "turn"],
    judges: layout.judges.map((id) => ({ id, subScores: layout.subScores[id] ?? [] })),
    columns: columns.map((column) => ({ name: column.name, type: column.type })),
    definitions: DEFINITIONS,
    counts: { ...counts, targets: targets.size },
  };
  writeFileSync(resultsManifestPath(options.outPath), `${JSON.stringify(manifest, null, 2)}\n`, "utf8");
  return manifest;
}

type RowCounts = { rows: number } & Pick<ResultsExportCounts, "turns" | "verdicts">;

function count(counts: RowCounts, row: ResultRow): void {
  counts.rows += 1;
  counts.turns[row.turnState] += 1;
  for (const verdict of row.verdicts) counts.verdicts[verdict.status] += 1;
}

/** The run's judges (its config's, in order, then any other with verdicts), their sub-scores and the rubrics judged. */
export function columnLayout(db: Db, run: RunRecord): ColumnLayout {
  const shape = exportShape(db, run.id);
  const configured = ((run.config as { judges?: Array<{ id?: unknown }> }).judges ?? [])
    .map((judge) => judge.id)
    .filter((id): id is string => typeof id === "string");
  const judges = [...new Set([...configured, ...shape.judges])];
  return {
    judges,
    subScores: shape.subScores,
    rubrics: shape.rubrics.length === 0 ? [DEFAULT_RUBRIC] : shape.rubrics,
  };
}
