import { type Command, Option } from "commander";
import type { TranslateFlags } from "../actions/translate.js";
import type { Output } from "../output.js";
import { unitInterval } from "./generate-seeds.js";
import { runOrEstimate, withGenerationFlags } from "./generation-flags.js";
import { positiveInteger } from "./parse.js";

/** Registers `medsafety translate`. */
export function registerTranslate(program: Command, output: Output, setExit: (code: number) => void): void {
  withGenerationFlags(
    program
      .command("translate <file>")
      .description(
        "translate a benchmark (role translator), keeping pairId; back-translation similarity below a threshold is flagged",
      ),
  )
    .addOption(new Option("--to <lang>", "target language").choices(["ja", "en"]).makeOptionMandatory())
    .requiredOption("--out <file>", "translated benchmark JSONL")
    .option(
      "--min-similarity <t>",
      "flag items whose back-translation similarity (character n-gram Jaccard with the source) is below this",
      unitInterval,
      0.4,
    )
    .option("--ngram <n>", "character n-gram size of the similarity", positiveInteger, 2)
    .addOption(new Option("--prompt <file>", "translator prompt JSON file").hideHelp())
    .action(async (file: string, flags: TranslateFlags) => {
      await runOrEstimate("translate", flags, output, async (planned, to) => {
        const { translateCommand } = await import("../actions/translate.js");
        await translateCommand(file, planned, to, setExit);
      });
    });
}
