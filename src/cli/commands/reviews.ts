import type { Command } from "commander";
import type { Output } from "../output.js";

/** Registers `medsafety reviews list | export | import`: human reviews of turns, stored beside (never over) the judges' verdicts. */
export function registerReviews(program: Command, output: Output): void {
  const reviews = program
    .command("reviews")
    .description("human reviews of turn scores: list, export and import as JSONL");
  reviews
    .command("list")
    .description(
      "list a run's reviews (every review; `latest` marks the one reports use for its turn; turns numbered from 1)",
    )
    .option("--run <run>", "run id, id prefix or 'latest'", "latest")
    .option("--target <id>", "only this target")
    .option("--item <id>", "only this item")
    .option("--json", "print JSON")
    .option("--store <path>", "SQLite store")
    .action(async (options: { run: string; target?: string; item?: string; json?: boolean; store?: string }) => {
      const { reviewsListCommand } = await import("../actions/reviews.js");
      reviewsListCommand(options, output);
    });
  reviews
    .command("export")
    .description("write a run's reviews (all of them) as JSONL")
    .option("--run <run>", "run id, id prefix or 'latest'", "latest")
    .option("--out <file>", "JSONL file to write (default: standard output)")
    .option("--store <path>", "SQLite store")
    .action(async (options: { run: string; out?: string; store?: string }) => {
      const { reviewsExportCommand } = await import("../actions/reviews.js");
      reviewsExportCommand(options, output);
    });
  reviews
    .command("import <file>")
    .description(
      "add the reviews of a JSONL file (a review id already stored is skipped; nothing is kept if a line is bad)",
    )
    .option("--run <run>", "the run of lines without a runId (id, id prefix or 'latest')")
    .option("--store <path>", "SQLite store")
    .action(async (file: string, options: { run?: string; store?: string }) => {
      const { reviewsImportCommand } = await import("../actions/reviews.js");
      reviewsImportCommand(file, options, output);
    });
}
