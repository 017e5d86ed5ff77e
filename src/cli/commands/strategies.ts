import { type Command, Option } from "commander";
import type { ListOptions, ShowOptions } from "../actions/strategies.js";
import type { Output } from "../output.js";
import { registerExport, withStoreOptions } from "./strategies-discovered.js";

/**
 * Registers the `medsafety strategies` command group (list, show, export). Further subcommands attach to the same
 * group with `withLibraryOptions`; their actions load the library with `loadLibrary` (actions/strategies.ts).
 */
export function registerStrategies(program: Command, output: Output): void {
  const strategies = program
    .command("strategies")
    .description(
      "list, inspect and export the jailbreak strategy library: the 7 built-in families, --file libraries, discovered strategies",
    );
  registerList(strategies, output);
  registerShow(strategies, output);
  registerExport(strategies, output);
}

function registerList(strategies: Command, output: Output): void {
  withLibraryOptions(
    strategies.command("list").description("list the strategies (id@version, origin, name, turns, hash)"),
  )
    .addOption(
      new Option("--format <format>", "table, or JSON with both languages").choices(["table", "json"]).default("table"),
    )
    .action(async (options: ListOptions) => {
      const { strategiesListCommand } = await import("../actions/strategies.js");
      strategiesListCommand(options, output);
    });
}

function registerShow(strategies: Command, output: Output): void {
  withStoreOptions(
    withLibraryOptions(
      strategies
        .command("show <strategy>")
        .description(
          "show one strategy by id (its highest version) or id@version; a discovered one also with its success per target model, first discovery and lineage from the store",
        ),
    ),
  )
    .addOption(
      new Option("--format <format>", "text, or JSON with both languages").choices(["text", "json"]).default("text"),
    )
    .action(async (reference: string, options: ShowOptions) => {
      const { strategiesShowCommand } = await import("../actions/strategies.js");
      strategiesShowCommand(reference, options, output);
    });
}

/** Adds `--file <path>` (repeatable) and `--lang ja|en` to a strategies subcommand. */
export function withLibraryOptions(command: Command): Command {
  return command
    .option(
      "--file <path>",
      "also load a strategy library file (.yaml, .yml or .json); repeat for several",
      collect,
      [],
    )
    .addOption(
      new Option("--lang <lang>", "language of the text (JSON always carries both)")
        .choices(["ja", "en"])
        .default("en"),
    );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
