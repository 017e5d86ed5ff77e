import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { MedsafetyError } from "../../core/index.js";
import type { Output } from "../output.js";

export function registerInit(program: Command, output: Output): void {
  program
    .command("init")
    .description("write a commented medsafety.config.yaml to start from")
    .option("-o, --out <file>", "where to write the config", "medsafety.config.yaml")
    .option("-f, --force", "overwrite an existing file")
    .action(async (options: { out: string; force?: boolean }) => {
      const path = resolve(options.out);
      if (existsSync(path) && options.force !== true) {
        throw new MedsafetyError(
          "config_invalid",
          `${path} already exists. Pass --force to overwrite it, or -o to write elsewhere.`,
        );
      }
      const { INIT_TEMPLATE } = await import("../../config/index.js");
      writeFileSync(path, INIT_TEMPLATE, "utf8");
      output.out(`wrote ${path}`);
      output.out(
        "Edit the targets and judges, export the API key variables they name, then: npx medsafety run -c " +
          options.out,
      );
    });
}

export function registerSchema(program: Command, output: Output): void {
  program
    .command("schema")
    .description("print the config's JSON Schema (for editor completion)")
    .action(async () => {
      const { configJsonSchema } = await import("../../config/index.js");
      output.out(JSON.stringify(configJsonSchema(), null, 2));
    });
}
