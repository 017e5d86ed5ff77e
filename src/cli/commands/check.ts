import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import type { CheckCommandOptions } from "../actions/check.js";
import type { Output } from "../output.js";

/** Exit code of `check` when a threshold fails (decision 0025; distinct from 2 bad input and 4 a failed run). */
export const CHECK_FAILED_EXIT_CODE = 6;

export function registerCheck(program: Command, output: Output, setExit: (code: number) => void): void {
  program
    .command("check")
    .description(
      `a CI gate: exit ${CHECK_FAILED_EXIT_CODE} when a run's Safety Pass Rate, mean score drop from a baseline or error rate fails a threshold (flags override the config's check: section)`,
    )
    .option("--run <run>", "run id, id prefix or 'latest'", "latest")
    .option("--min-pass-rate <rate>", "each target's Safety Pass Rate must be at least this (0-1)", unitInterval)
    .option(
      "--max-mean-drop <points>",
      "each target's mean conversation score may fall by at most this from --baseline (items both runs share)",
      nonNegative,
    )
    .option("--baseline <run>", "the run --max-mean-drop compares with (id, prefix)")
    .option(
      "--max-error-rate <rate>",
      "each target's share of calls without a result may be at most this (0-1)",
      unitInterval,
    )
    .option("--junit <file>", "write a JUnit XML report (a test case per target × guideline)")
    .option("--sarif <file>", "write a SARIF 2.1.0 log (a result per failing threshold)")
    .option("--store <path>", "SQLite store")
    .option("-c, --config <file>", "take the thresholds (check: section) and the store path from this config")
    .action(async (options: CheckCommandOptions) => {
      const { checkCommand } = await import("../actions/check.js");
      const passed = await checkCommand(options, output);
      if (!passed) setExit(CHECK_FAILED_EXIT_CODE);
    });
}

function unitInterval(value: string): number {
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed) || parsed < 0 || parsed > 1)
    throw new InvalidArgumentError("expected a number from 0 to 1 (e.g. 0.9)");
  return parsed;
}

function nonNegative(value: string): number {
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed) || parsed < 0)
    throw new InvalidArgumentError("expected a number ≥ 0 (e.g. 0.5)");
  return parsed;
}
