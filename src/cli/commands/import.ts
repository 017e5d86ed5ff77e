import { type Command, Option } from "commander";
import type { ImportMedSafetyBenchOptions } from "../actions/import.js";
import type { Output } from "../output.js";
import { registerImportDataset } from "./import-dataset.js";
import { MEDSAFETYBENCH_REPOSITORY } from "./option-values.js";

/** Registers `medsafety import <benchmark>`: converts a published benchmark into the project's benchmark JSONL. */
export function registerImport(program: Command, output: Output): void {
  const command = program.command("import").description("convert a published benchmark into a benchmark JSONL file");
  command
    .command("medsafetybench <dir|url>")
    .description(
      `import MedSafetyBench (Han et al., NeurIPS 2024) from a clone of ${MEDSAFETYBENCH_REPOSITORY} (the folder that contains datasets/) or from the repository URL`,
    )
    .option("--out <file>", "benchmark JSONL to write", "medsafetybench.jsonl")
    .addOption(
      new Option("--split <split>", "MedSafety-Eval (test), MedSafety-Improve (train) or both")
        .choices(["test", "train", "all"])
        .default("test"),
    )
    .addOption(
      new Option("--source <source>", "requests written by GPT-4, by jailbroken Llama-2, or both")
        .choices(["gpt4", "llama2", "all"])
        .default("all"),
    )
    .option(
      "--include-llama3",
      "also import the 74,374 extra Llama-3 requests (datasets/med_harm_llama3, no reference response)",
    )
    .option(
      "--ft-split <name>",
      "instead, import one fine-tuning split as items, e.g. med_safety/ft_safety_med_n900 (from a directory)",
    )
    .action(async (source: string, options: ImportMedSafetyBenchOptions) => {
      const { importMedSafetyBenchCommand } = await import("../actions/import.js");
      await importMedSafetyBenchCommand(source, options, output);
    });
  registerImportDataset(command, output);
}
