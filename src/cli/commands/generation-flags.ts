import type { Command } from "commander";
import type { GenerationFailure } from "../../generation/index.js";
import type { GenerationFlags } from "../generation-session.js";
import type { Output } from "../output.js";
import { positiveInteger, positiveUsd } from "./parse.js";

/** The flags every generation command takes: config, store, concurrency, attempts, progress, budget. */
export function withGenerationFlags(command: Command): Command {
  return command
    .option("-c, --config <file>", "config file binding the roles", "medsafety.config.yaml")
    .option("--store <path>", "SQLite store (default: the config's)")
    .option("--concurrency <n>", "most model calls in flight (default: the config's concurrency)", positiveInteger)
    .option(
      "--max-attempts <n>",
      "calls per task when the answer fails validation (then recorded as failed)",
      positiveInteger,
      3,
    )
    .option("--no-progress", "no progress bar")
    .option(
      "--max-cost <usd>",
      "budget in USD: start no task that could pass it; the run ends cancelled (reason budget) and the same command with a higher budget continues (default: the config's maxCost)",
      positiveUsd,
    )
    .option("--estimate", "print the planned calls, tokens, cost and time; call no model and write no file");
}

/** A generation command's flags with `--estimate` and the files it would write. */
type EstimableFlags = GenerationFlags & { estimate?: boolean; out?: string; audit?: string };

/** Runs a generation command, or with `--estimate` plans it and prints its estimate (actions/estimate-generation.ts). */
export async function runOrEstimate<Flags extends EstimableFlags>(
  command: string,
  flags: Flags,
  output: Output,
  run: (flags: Flags, output: Output) => Promise<void>,
): Promise<void> {
  if (flags.estimate !== true) return run(flags, output);
  const { estimateGeneration } = await import("../actions/estimate-generation.js");
  await estimateGeneration(command, flags, output, run);
}

/** Lists the first failures and says how to retry them. */
export function printFailures(output: Output, failures: readonly GenerationFailure[], total: number): void {
  if (total === 0) return;
  output.out(`not generated (${total}; stored with the raw output, first ${failures.length} below):`);
  for (const failure of failures)
    output.out(`  ${failure.status} ${failure.subject} [${failure.modelId}]: ${failure.message}`);
  output.out("run the same command again to retry failed and errored tasks (stored successes are reused)");
}
