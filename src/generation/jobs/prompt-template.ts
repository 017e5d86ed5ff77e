import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { hashValue, InputError, type Language, packageRoot, readJsonFile } from "../../core/index.js";

/** A generation prompt file (`src/generation/prompts/*.json`): versioned texts with {{placeholders}}, ja + en. */
export const generationPromptSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  description: z.string().min(1).optional(),
  languages: z.strictObject({
    ja: z.record(z.string(), z.string().trim().min(1)),
    en: z.record(z.string(), z.string().trim().min(1)),
  }),
});

export type GenerationPromptFile = z.output<typeof generationPromptSchema>;

/** A loaded prompt: its texts, `id@version` and a content hash that goes into every task key made with it. */
export interface GenerationPrompt {
  readonly file: GenerationPromptFile;
  readonly ref: string;
  readonly hash: string;
  /** The text `name` in `language`, with {{placeholders}} filled from `values`. */
  text(language: Language, name: string, values?: Readonly<Record<string, string>>): string;
}

/** Path of a built-in generation prompt. */
export function builtinPromptPath(id: string): string {
  return join(packageRoot(), "src", "generation", "prompts", `${id}.json`);
}

/**
 * Loads a prompt file (a built-in id or a path) and checks that both languages hold every text in `required`.
 * Errors are `config_invalid` InputErrors naming the file and the field.
 */
export function loadGenerationPrompt(reference: string, required: readonly string[]): GenerationPrompt {
  const path =
    reference.includes("/") || reference.endsWith(".json") ? resolve(reference) : builtinPromptPath(reference);
  if (!existsSync(path))
    throw new InputError(
      "config_invalid",
      { file: path },
      `prompt "${reference}" not found`,
      "Reinstall medsafety or pass the path of a prompt JSON file",
    );
  const file = readJsonFile(path, generationPromptSchema, {
    what: "prompt",
    example: "See src/generation/prompts/ for the expected shape",
  });
  for (const language of ["ja", "en"] as const) {
    for (const name of required) {
      if (file.languages[language][name] === undefined) {
        throw new InputError(
          "config_invalid",
          { file: path, field: `languages.${language}.${name}` },
          "missing text",
          `Add the "${name}" text in both languages`,
        );
      }
    }
  }
  return {
    file,
    ref: `${file.id}@${file.version}`,
    hash: hashValue(file),
    text: (language, name, values = {}) => fillTemplate(file.languages[language][name] ?? "", values),
  };
}

/** Replaces each {{name}} once, in one pass, so text inside values is never re-expanded. */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(
    /\{\{(\w+)\}\}/g,
    (whole, name: string) => (Object.hasOwn(values, name) ? values[name] : undefined) ?? whole,
  );
}
