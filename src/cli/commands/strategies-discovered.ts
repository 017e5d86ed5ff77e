import type { Command } from "commander";
import type { ExportFlags } from "../actions/strategies-discovered.js";
import type { Output } from "../output.js";
import { positiveInteger } from "./parse.js";

/** Adds `--store` and `-c/--config` to a strategies subcommand that reads discovery runs. */
export function withStoreOptions(command: Command): Command {
  return command
    .option(
      "--store <path>",
      "SQLite store holding discovery runs (default: the config's, else .medsafety/medsafety.db)",
    )
    .option("-c, --config <file>", "config whose store to read", "medsafety.config.yaml");
}

/** `strategies export`: the most effective distinct strategies of a discovery run as a strategy library file. */
export function registerExport(strategies: Command, output: Output): void {
  withStoreOptions(
    strategies
      .command("export")
      .description(
        "write the most effective distinct discovered strategies of a discovery run as a strategy library file",
      ),
  )
    .option("--top <n>", "how many strategies", positiveInteger, 7)
    .option("--run <run>", "discovery run id, or latest", "latest")
    .requiredOption("--out <file>", "library file to write (.yaml, .yml or .json)")
    .action(async (flags: ExportFlags) => {
      const { strategiesExportCommand } = await import("../actions/strategies-discovered.js");
      strategiesExportCommand(flags, output);
    });
}
