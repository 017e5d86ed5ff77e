import type { Command } from "commander";
import type { StoreCheckOptions } from "../actions/store.js";
import type { Output } from "../output.js";

/** Registers `medsafety store check`: SQLite's full integrity check of a store, read-only. */
export function registerStore(program: Command, output: Output): void {
  const store = program.command("store").description("inspect the SQLite store");
  store
    .command("check")
    .description(
      "check every page and index of the store (PRAGMA integrity_check, foreign_key_check); reads the whole file: minutes on a store of millions of rows",
    )
    .option("--store <path>", "SQLite store")
    .option("-c, --config <file>", "take the store path from this config")
    .option("--json", "print JSON: { store, ok, problems }")
    .action(async (options: StoreCheckOptions) => {
      const { storeCheckCommand } = await import("../actions/store.js");
      storeCheckCommand(options, output);
    });
}
