import type { Command } from "commander";
import type { FilterFlags } from "../actions/filter.js";
import type { Output } from "../output.js";
import { runOrEstimate, withGenerationFlags } from "./generation-flags.js";
import { positiveInteger } from "./parse.js";

/** Registers `medsafety filter seeds`. */
export function registerFilter(program: Command, output: Output, setExit: (code: number) => void): void {
  const filter = program.command("filter").description("filter benchmark material");
  withGenerationFlags(
    filter
      .command("seeds")
      .description("keep a seed only if at least k reference models refuse it (refusals judged with a refusal rubric)"),
  )
    .requiredOption("--in <file>", "seeds JSONL")
    .option("--refusers <ids>", "comma list of refuser ids from the config (default: all)", "all")
    .option("--min-refusals <k>", "keep a seed when at least k refusers refuse it", positiveInteger, 2)
    .requiredOption("--out <file>", "kept seeds JSONL")
    .option("--audit <file>", "per-seed audit JSONL: each refuser's verdict (default: <out>.audit.jsonl)")
    .option("--print-audit", "also print each seed's verdicts")
    .action(async (flags: FilterFlags) => {
      await runOrEstimate("filter seeds", flags, output, async (planned, to) => {
        const { filterSeedsCommand } = await import("../actions/filter.js");
        await filterSeedsCommand(planned, to, setExit);
      });
    });
}
