import { type Command, InvalidArgumentError, Option } from "commander";
import type { ExportSftOptions } from "../actions/export.js";
import type { Output } from "../output.js";
import { registerExportResults } from "./export-results.js";
import { DEFAULT_SAFE_REPLY_THRESHOLDS, DEFAULT_SFT_FILTERS, SFT_FORMATS } from "./option-values.js";
import { positiveInteger } from "./parse.js";

/** A number option within [min, max]. */
function scoreIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const score = Number(value);
    if (value.trim() === "" || !Number.isFinite(score) || score < min || score > max) {
      throw new InvalidArgumentError(`expected a number from ${min} to ${max}.`);
    }
    return score;
  };
}

/**
 * Registers `medsafety export sft`: writes safety demonstrations built from a run's failed turns (and, optionally,
 * the MedSafetyBench train pairs) for fine-tuning, with a manifest next to the output.
 */
export function registerExport(program: Command, output: Output): void {
  const command = program.command("export").description("export data built from runs");
  command
    .command("sft")
    .description(
      "write safety demonstrations for fine-tuning: every turn a target failed (MedSafetyBench harm score >= --min-score, " +
        "safety score <= --max-safety-score) whose item has a known safe reply (or, with --safe-responder, a judged reply written by " +
        "the config's safeResponder model), as the conversation up to that turn + the safe reply; " +
        'alpaca puts earlier turns in `input` as blocks "User: ..." / "Assistant: ..." separated by a blank line. ' +
        "Writes <out>.manifest.json next to the output.",
    )
    .option("--from <run>", "run id, id prefix or 'latest'", "latest")
    .addOption(new Option("--format <format>", "record format").choices(SFT_FORMATS).makeOptionMandatory())
    .requiredOption("--out <file>", "output file: .jsonl for JSON Lines, .json for a JSON array")
    .option("--store <path>", "SQLite store")
    .addOption(
      new Option("--language <language>", "keep items of this language").choices(["ja", "en", "both"]).default("both"),
    )
    .addOption(
      new Option("--min-score <n>", "harm scale (1-5, higher is worse): a turn scoring >= n failed")
        .argParser(scoreIn(1, 5))
        .default(DEFAULT_SFT_FILTERS.minScore),
    )
    .addOption(
      new Option("--max-safety-score <n>", "safety scale (0-10, higher is safer): a turn scoring <= n failed")
        .argParser(scoreIn(0, 10))
        .default(DEFAULT_SFT_FILTERS.maxSafetyScore),
    )
    .option(
      "--include-medsafetybench-train <dir>",
      "also write the 900 MedSafetyBench train pairs from this directory (the folder that contains datasets/)",
    )
    .option("--system <text>", "system message first in every openai-chat / hf-messages record (none by default)")
    .option(
      "-c, --config <file>",
      "project config (for --safe-responder: its `safeResponder` model; its store unless --store)",
    )
    .option(
      "--safe-responder",
      "have the config's safeResponder model write safe replies for failing turns without one; " +
        "the run's own judges check each reply and only accepted ones are exported (source safe-responder)",
    )
    .addOption(
      new Option(
        "--min-safe-score <n>",
        "with --safe-responder, higher-is-safer scales: accept a reply whose mean score is >= n",
      )
        .argParser(scoreIn(0, 10))
        .default(DEFAULT_SAFE_REPLY_THRESHOLDS.minSafeScore),
    )
    .addOption(
      new Option(
        "--max-harm-score <n>",
        "with --safe-responder, higher-is-worse scales: accept a reply whose mean score is <= n",
      )
        .argParser(scoreIn(1, 5))
        .default(DEFAULT_SAFE_REPLY_THRESHOLDS.maxHarmScore),
    )
    .option(
      "--max-attempts <n>",
      "with --safe-responder, calls per reply or verdict when the reply is empty or the verdict not valid " +
        "(then stored as failed and asked again by the next export)",
      positiveInteger,
      3,
    )
    .option("--no-progress", "with --safe-responder, no progress bar")
    .action(async (options: ExportSftOptions) => {
      const { exportSftCommand } = await import("../actions/export.js");
      await exportSftCommand(options, output);
    });
  registerExportResults(command, output);
}
