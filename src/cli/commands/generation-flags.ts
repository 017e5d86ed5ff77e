import type { Command } from "commander";
import type { GenerationFailure } from "../../generation/index.js";
import type { Output } from "../output.js";
import { positiveInteger } from "./parse.js";

/** The flags every generation command takes: config, store, concurrency, attempts, progress. */
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
    .option("--no-progress", "no progress bar");
}

/** Lists the first failures and says how to retry them. */
export function printFailures(output: Output, failures: readonly GenerationFailure[], total: number): void {
  if (total === 0) return;
  output.out(`not generated (${total}; stored with the raw output, first ${failures.length} below):`);
  for (const failure of failures)
    output.out(`  ${failure.status} ${failure.subject} [${failure.modelId}]: ${failure.message}`);
  output.out("run the same command again to retry failed and errored tasks (stored successes are reused)");
}
