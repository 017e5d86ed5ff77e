import type { Command } from "commander";
import type { StoreCheckOptions } from "../actions/store.js";
import type { StoreCopyOptions } from "../actions/store-copy.js";
import type { Output } from "../output.js";

/** Registers `medsafety store check` (a full integrity check of a store, read-only) and `store copy` (runs between stores). */
export function registerStore(program: Command, output: Output): void {
  const store = program
    .command("store")
    .description("check a store, or copy runs between stores (SQLite or PostgreSQL)");
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
  store
    .command("copy")
    .description(
      "copy runs with their items, results, conversations and reviews (and, without --run, generation and discovery) between stores, SQLite or PostgreSQL either way; keys unchanged, nothing in the target overwritten",
    )
    .requiredOption("--from <path|url>", "store to copy from: a SQLite file or a postgres:// URL (must exist)")
    .requiredOption("--to <path|url>", "store to copy into: a SQLite file or a postgres:// URL (created if missing)")
    .option("--run <runs...>", "copy only these runs (ids, prefixes or latest); default every run")
    .option("--json", "print JSON: { from, to, runs, alreadyCopied, tables, seconds }")
    .action(async (options: StoreCopyOptions) => {
      const { storeCopyCommand } = await import("../actions/store-copy.js");
      storeCopyCommand(options, output);
    });
}
