import type { Command } from "commander";
import type { RunOptions } from "../actions/run.js";
import type { Output } from "../output.js";
import { positiveInteger, positiveSeconds } from "./parse.js";

export function registerRun(program: Command, output: Output, setExit: (code: number) => void): void {
  program
    .command("run")
    .description("run the benchmark against every target and judge every turn (or resume a run)")
    .option("-c, --config <file>", "config file (with --resume: only where the store is)", "medsafety.config.yaml")
    .option("--resume <run>", "continue a run (id, id prefix or 'latest') after a crash or Ctrl-C")
    .option("--retry-errors", "with --resume: call again the turns and judgments that failed")
    .option("--no-cache", "do not reuse stored responses for identical requests")
    .option("--no-progress", "no progress display")
    .option(
      "--progress-interval <seconds>",
      "when stderr is not a terminal: seconds between progress lines (default 30)",
      positiveSeconds,
    )
    .option("--no-preflight", "do not check that configured servers answer before starting")
    .option("--skip-preflight", "same as --no-preflight")
    .option("--store <path>", "store: a SQLite path or a postgres:// URL (default: the config's store)")
    .option("--no-work", "PostgreSQL store: record the run and queue its conversations; workers run them")
    .option("--concurrency <n>", "most LLM calls in flight (default: the config's)", positiveInteger)
    .action(async (options: RunOptions & { skipPreflight?: boolean }, command: Command) => {
      const { runCommand } = await import("../actions/run.js");
      await runCommand(options, command, output, setExit);
    });
}
