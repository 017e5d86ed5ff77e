import type { Command } from "commander";
import { InvalidArgumentError, Option } from "commander";
import type { ReportCommandOptions } from "../actions/report.js";
import type { Output } from "../output.js";
import {
  BONFERRONI_FAMILIES,
  DEFAULT_GROUP_BY,
  GROUPABLE_DIMENSIONS,
  type GroupableDimension,
  REPORT_FORMATS,
} from "./option-values.js";

export function registerReport(program: Command, output: Output): void {
  program
    .command("report")
    .description(
      "a run's results: per-turn scores, Safety Pass Rate, grouped statistics with bootstrap CIs, tests, judge agreement",
    )
    .option("--run <run>", "run id, id prefix or 'latest'", "latest")
    .option("--compare <runs...>", "compare the run with these runs (ids, prefixes)")
    .addOption(new Option("--format <format>", "output format").choices([...REPORT_FORMATS]).default("table"))
    .option("--out <path>", "write the report to this file instead of standard output")
    .addOption(
      new Option("--lang <lang>", "language of the report's text (table, Markdown, HTML)")
        .choices(["ja", "en"])
        .default("en"),
    )
    .option("--resamples <n>", "bootstrap resamples for confidence intervals", positiveInteger, 1000)
    .option(
      "--group-by <dimensions>",
      `group the multi-turn statistics by these (comma-separated: ${GROUPABLE_DIMENSIONS.join(", ")})`,
      groupByList,
      [...DEFAULT_GROUP_BY],
    )
    .option("--seed <n>", "bootstrap random seed (same seed, same intervals)", nonNegativeInteger, 1)
    .option(
      "--threads <n>",
      "threads that load and summarise targets in parallel (default: one per core, at most 8, for runs over 300,000 turns; else 1)",
      positiveInteger,
    )
    .option(
      "--use-reviews",
      "score a reviewed multi-turn turn with its latest human review instead of the judges' mean (the judges' own scores and their agreement are unchanged)",
    )
    .addOption(
      new Option(
        "--bonferroni-family <family>",
        "turn pairs one Bonferroni correction covers: every pair of turns, or consecutive turns only (default: the run config's analysis.bonferroniFamily, else all-pairs)",
      ).choices([...BONFERRONI_FAMILIES]),
    )
    .option("--store <path>", "SQLite store")
    .option("-c, --config <file>", "take the store path from this config")
    .action(async (options: ReportCommandOptions) => {
      const { reportCommand } = await import("../actions/report.js");
      await reportCommand(options, output);
    });
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError("expected a positive whole number");
  return parsed;
}

function nonNegativeInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError("expected a whole number ≥ 0");
  return parsed;
}

function groupByList(value: string): GroupableDimension[] {
  const dimensions = value
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  for (const dimension of dimensions) {
    if (!(GROUPABLE_DIMENSIONS as readonly string[]).includes(dimension)) {
      throw new InvalidArgumentError(
        `"${dimension}" is not a dimension; use a comma-separated list of ${GROUPABLE_DIMENSIONS.join(", ")}`,
      );
    }
  }
  return dimensions as GroupableDimension[];
}
