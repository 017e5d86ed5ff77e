import { type Command, Option } from "commander";
import type { ExportResultsOptions } from "../actions/export-results.js";
import type { Output } from "../output.js";
import { positiveInteger } from "./parse.js";

/** `--format` choices: a copy of library `RESULT_EXPORT_FORMATS` (its test keeps them equal), so --help loads nothing. */
export const EXPORT_RESULT_FORMATS = ["jsonl", "csv", "parquet"] as const;

/**
 * Registers `medsafety export results` under the `export` command: a run's raw rows (item × target × epoch × turn,
 * every verdict) as JSON Lines, CSV or Parquet, with `<out>.manifest.json` next to the file.
 */
export function registerExportResults(exportCommand: Command, output: Output): void {
  exportCommand
    .command("results")
    .description(
      "write a run's raw results for pandas or R: one row per item x target x epoch x turn with its ids, the item's provenance, " +
        "the user message, the reply (or the turn's error), every judge's verdict (status, score, label, sub-scores, categories, " +
        "rationale, unscored reason, error), the turn score (mean of the judges' valid scores, as the report; human reviews " +
        "are not applied) and the cost (null: unpriced). " +
        "jsonl nests the verdicts; csv and parquet have one column group per judge (<judge>_score, <judge>_status, ...). " +
        "The file holds the harmful texts themselves (they are the data); only counts and the path are printed. " +
        "Writes <out>.manifest.json next to the output (content warning, columns, definitions, counts).",
    )
    .option("--run <run>", "run id, id prefix or 'latest'", "latest")
    .addOption(new Option("--format <format>", "file format").choices(EXPORT_RESULT_FORMATS).makeOptionMandatory())
    .requiredOption("--out <file>", "output file")
    .option("--store <path>", "SQLite store or postgres:// URL")
    .option("-c, --config <file>", "project config (its store unless --store)")
    .option("--row-group-size <n>", "rows per Parquet row group: what is held in memory at once", positiveInteger, 5000)
    .action(async (options: ExportResultsOptions) => {
      const { exportResultsCommand } = await import("../actions/export-results.js");
      await exportResultsCommand(options, output);
    });
}
