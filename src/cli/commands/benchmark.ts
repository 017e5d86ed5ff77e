import { type Command, Option } from "commander";
import type { StatsFlags } from "../actions/benchmark.js";
import type { Output } from "../output.js";
import { unitInterval } from "./generate-seeds.js";

/** Registers `medsafety benchmark stats`. */
export function registerBenchmark(program: Command, output: Output): void {
  const benchmark = program.command("benchmark").description("inspect benchmark files");
  benchmark
    .command("stats <benchmark>")
    .description(
      "counts by guideline, section, strategy, attacker and language of a JSONL file, builtin:sample or builtin:benign; exact and near duplicates; failed generations (with --store or -c)",
    )
    .addOption(new Option("--format <format>", "output format").choices(["table", "json"]).default("table"))
    .option("--store <path>", "also count failed generations in this store")
    .option("-c, --config <file>", "also count failed generations in this config's store")
    .option(
      "--similarity <t>",
      "near-duplicate threshold (character 3-gram Jaccard, within language and guideline)",
      unitInterval,
      0.9,
    )
    .option("--no-near", "skip the near-duplicate pass")
    .action(async (file: string, flags: StatsFlags) => {
      const { benchmarkStatsCommand } = await import("../actions/benchmark.js");
      await benchmarkStatsCommand(file, flags, output);
    });
}
