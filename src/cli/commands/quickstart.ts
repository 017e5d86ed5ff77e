import { type Command, Option } from "commander";
import type { QuickstartOptions } from "../actions/quickstart.js";
import type { Output } from "../output.js";
import { DEFAULT_QUICKSTART_LIMIT as DEFAULT_LIMIT } from "./option-values.js";
import { positiveInteger } from "./parse.js";

export function registerQuickstart(program: Command, output: Output, setExit: (code: number) => void): void {
  program
    .command("quickstart")
    .description("run the built-in sample benchmark on a local GGUF model (target and two judges) and print the report")
    .option("--model <file.gguf>", "local GGUF model (else MEDSAFETY_MODEL, else a small default model is downloaded)")
    .option("--limit <n>", `run only the first n sample conversations (default ${DEFAULT_LIMIT})`, positiveInteger)
    .option("--all", "run all 28 sample conversations")
    .addOption(new Option("--language <language>", "only items in this language").choices(["ja", "en"]))
    .option("--store <path>", "SQLite store (default ./.medsafety/medsafety.db)")
    .option("--no-progress", "no progress bars")
    .addOption(new Option("--format <format>", "report format").choices(["json", "table"]).default("table"))
    .action(async (options: QuickstartOptions) => {
      const { quickstartCommand } = await import("../actions/quickstart.js");
      await quickstartCommand(options, output, setExit);
    });
}
