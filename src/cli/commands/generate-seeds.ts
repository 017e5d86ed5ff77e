import { type Command, InvalidArgumentError, Option } from "commander";
import type { SeedFlags } from "../actions/generate-seeds.js";
import type { Output } from "../output.js";
import { runOrEstimate, withGenerationFlags } from "./generation-flags.js";
import { positiveInteger } from "./parse.js";

/** A number in [0, 1]. */
export function unitInterval(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0 || number > 1)
    throw new InvalidArgumentError("expected a number between 0 and 1");
  return number;
}

/** Registers `medsafety generate seeds`. */
export function registerGenerateSeeds(generate: Command, output: Output, setExit: (code: number) => void): void {
  withGenerationFlags(
    generate
      .command("seeds")
      .description("the generator writes N harmful seed requests per guideline; near duplicates are removed"),
  )
    .option("--catalog <catalog>", "guideline catalog: jma, ama, or a catalog file", "jma")
    .requiredOption("--per-guideline <n>", "seed requests per guideline", positiveInteger)
    .option("--batch-size <n>", "requests asked for in one call", positiveInteger, 10)
    .addOption(new Option("--language <lang>", "language of the seeds").choices(["ja", "en"]).default("ja"))
    .option("--guidelines <ids>", "only these guideline ids (comma list; default: all)")
    .option(
      "--similarity <t>",
      "near-duplicate threshold: character n-gram Jaccard similarity (0-1) at or above which a seed is removed",
      unitInterval,
      0.8,
    )
    .option("--ngram <n>", "character n-gram size for the similarity", positiveInteger, 3)
    .option("--out <file>", "output seeds JSONL (written as <out>.partial, renamed when done)", "seeds.jsonl")
    .addOption(new Option("--prompt <file>", "generator prompt JSON file").hideHelp())
    .action(async (flags: SeedFlags) => {
      await runOrEstimate("generate seeds", flags, output, async (planned, to) => {
        const { generateSeedsCommand } = await import("../actions/generate-seeds.js");
        await generateSeedsCommand(planned, to, setExit);
      });
    });
}
