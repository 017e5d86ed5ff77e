import type { Command } from "commander";
import { InvalidArgumentError, Option } from "commander";
import type { ViewCommandOptions } from "../actions/view.js";
import type { Output } from "../output.js";

export const DEFAULT_VIEW_HOST = "127.0.0.1";

export function registerView(program: Command, output: Output): void {
  program
    .command("view")
    .description(
      "a local web viewer for runs, conversations, judgments and human reviews (127.0.0.1 only unless --host is given)",
    )
    .option("--store <path>", "SQLite store")
    .option("-c, --config <file>", "take the store path from this config")
    .option("--port <n>", "port (0 picks a free one)", port, 7788)
    .option(
      "--host <address>",
      "address to listen on; anything but loopback exposes the store's content to the network",
      DEFAULT_VIEW_HOST,
    )
    .addOption(
      new Option("--lang <lang>", "default language of the pages (each page has a switch)")
        .choices(["ja", "en"])
        .default("en"),
    )
    .action(async (options: ViewCommandOptions) => {
      const { viewCommand } = await import("../actions/view.js");
      await viewCommand(options, output);
    });
}

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535)
    throw new InvalidArgumentError("expected a port number from 0 to 65535");
  return parsed;
}
