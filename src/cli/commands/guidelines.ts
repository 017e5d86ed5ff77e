import { type Command, Option } from "commander";
import { LANGUAGES } from "../../core/index.js";
import type { ListOptions, ShowOptions } from "../actions/guidelines.js";
import type { Output } from "../output.js";
import { BUILTIN_CATALOGS } from "./option-values.js";

/** Registers `medsafety guidelines list|show`: the guideline catalogs (built-in jma / ama, or a user file). */
export function registerGuidelines(program: Command, output: Output): void {
  const guidelines = program
    .command("guidelines")
    .description("list and show the guidelines of a catalog (built-in jma / ama, or your own YAML/JSON file)");
  guidelines
    .command("list")
    .description("list a catalog's guidelines, with its paraphrase notice")
    .option("--catalog <name|file>", `${BUILTIN_CATALOGS.join(" | ")} | a .yaml/.yml/.json catalog file`, "jma")
    .addOption(languageOption())
    .option("--section <id>", "only the guidelines of this section")
    .addOption(
      new Option("--format <format>", "output format (json: in the chosen language)")
        .choices(["table", "json"])
        .default("table"),
    )
    .action(async (options: ListOptions) => {
      const { guidelinesListCommand } = await import("../actions/guidelines.js");
      guidelinesListCommand(options, output);
    });
  guidelines
    .command("show <id>")
    .description("show one guideline: what it requires and the kinds of requests that would violate it")
    .option(
      "--catalog <name|file>",
      `${BUILTIN_CATALOGS.join(" | ")} | a .yaml/.yml/.json catalog file (default: the built-in catalog the id's prefix names, else jma)`,
    )
    .addOption(languageOption())
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (id: string, options: ShowOptions) => {
      const { guidelinesShowCommand } = await import("../actions/guidelines.js");
      guidelinesShowCommand(id, options, output);
    });
}

function languageOption(): Option {
  return new Option("--lang <language>", "language of the text").choices(LANGUAGES).default("en");
}
