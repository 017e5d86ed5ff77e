import { type Command, Option } from "commander";
import type { ConversationFlags } from "../actions/generate.js";
import type { Output } from "../output.js";
import { registerGenerateSeeds } from "./generate-seeds.js";
import { runOrEstimate, withGenerationFlags } from "./generation-flags.js";
import { positiveInteger } from "./parse.js";

/** Registers `medsafety generate` (seeds, conversations). */
export function registerGenerate(program: Command, output: Output, setExit: (code: number) => void): void {
  const generate = program
    .command("generate")
    .description("build a benchmark with LLMs: seed requests per guideline, then multi-turn conversations");
  registerGenerateSeeds(generate, output, setExit);
  registerConversations(generate, output, setExit);
}

function registerConversations(generate: Command, output: Output, setExit: (code: number) => void): void {
  withGenerationFlags(
    generate
      .command("conversations")
      .description(
        "for every seed × strategy × attacker, the attacker writes the user turns of a conversation (benchmark JSONL)",
      ),
  )
    .requiredOption("--seeds <file>", "seeds JSONL (from `generate seeds` / `filter seeds`)")
    .option("--strategies <list>", "all, or a comma list of strategy ids / id@version", "all")
    .option(
      "--strategy-file <path>",
      "also load a strategy library file; repeat for several",
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option("--attackers <ids>", "comma list of attacker ids from the config (default: all)", "all")
    .option("--turns <n>", "user turns per conversation", positiveInteger, 3)
    .requiredOption("--out <file>", "output benchmark JSONL (written as <out>.partial, renamed when done)")
    .addOption(
      new Option(
        "--prompt <file>",
        "attacker prompt JSON file (default: the built-in conversation-attacker)",
      ).hideHelp(),
    )
    .action(async (flags: ConversationFlags) => {
      await runOrEstimate("generate conversations", flags, output, async (planned, to) => {
        const { generateConversationsCommand } = await import("../actions/generate.js");
        await generateConversationsCommand(planned, to, setExit);
      });
    });
}
