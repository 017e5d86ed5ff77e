import type { Command } from "commander";
import type { ImportDatasetFlags } from "../actions/import-dataset.js";
import type { Output } from "../output.js";

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Registers `medsafety import dataset <path|hf://org/name[@revision]>` under `import`. */
export function registerImportDataset(importCommand: Command, output: Output): void {
  importCommand
    .command("dataset <source>")
    .description(
      "convert a published dataset (a JSON, JSONL, CSV, TSV or Parquet file, or a Hugging Face dataset hf://org/name[@revision]) into benchmark JSONL with a field mapping; HF_ENDPOINT and HF_TOKEN are read for the Hub",
    )
    .option(
      "--map <rules>",
      'comma list of item-field=source: a column or dotted path, a "literal" in double quotes, a {template} with {column}, {@row}, {@file}, {@language}; turns take a list field, a role/content message list, columns (turns=t0,t1,t2) or a pattern (turns=turn_*); metadata.<key>=column',
    )
    .option(
      "--mapping <name|file>",
      "a YAML mapping file, or a pre-made one: jmedethicbench (--map entries override it)",
    )
    .option("--out <file>", "benchmark JSONL to write (default: <dataset name>.jsonl)")
    .option("--format <format>", "read files as json, jsonl, csv, tsv or parquet (default: by extension)")
    .option("--license <licence>", "licence to record in each item's provenance (default: the dataset card's)")
    .option("--file <path>", "a file of the Hub dataset to import (repeatable; default: every data file)", collect)
    .option(
      "--skip-bad-rows",
      "report each bad row on stderr and go on (the count is printed); default: stop at the first",
    )
    .option("--cache-dir <dir>", "download cache for Hub files", ".medsafety/hf-cache")
    .action(async (source: string, flags: ImportDatasetFlags) => {
      const { importDatasetCommand } = await import("../actions/import-dataset.js");
      await importDatasetCommand(source, flags, output);
    });
}
