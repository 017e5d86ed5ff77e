import type { Command } from "commander";
import type { Output } from "../output.js";

export function registerRuns(program: Command, output: Output): void {
  const runs = program.command("runs").description("list and inspect runs in the store");
  runs
    .command("list")
    .description("list runs, newest first")
    .option("--store <path>", "SQLite store")
    .option("--json", "print JSON")
    .option("--limit <n>", "most runs to list", "50")
    .action(async (options: { store?: string; json?: boolean; limit: string }) => {
      const { runsListCommand } = await import("../actions/runs.js");
      runsListCommand(options, output);
    });
  runs
    .command("show <run>")
    .description("show a run's record: status, hashes, rubric and package versions, token usage")
    .option("--store <path>", "SQLite store")
    .option("--json", "print JSON")
    .action(async (reference: string, options: { store?: string; json?: boolean }) => {
      const { runsShowCommand } = await import("../actions/runs.js");
      runsShowCommand(reference, options, output);
    });
  runs
    .command("cancel <run>")
    .description("cancel a run: every worker drops it (calls in flight are stored); run --resume continues it")
    .option("--store <path>", "store: a SQLite path or a postgres:// URL")
    .action(async (reference: string, options: { store?: string }) => {
      const { runsCancelCommand } = await import("../actions/runs.js");
      await runsCancelCommand(reference, options, output);
    });
}
