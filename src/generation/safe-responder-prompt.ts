import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { InputError, type Language, packageRoot, readJsonFile } from "../core/index.js";

/** The safe responder's text in one language. */
export const safeResponderTextSchema = z.strictObject({
  /** System prompt: a careful medical assistant bound by professional ethics. */
  system: z.string().trim().min(1),
});

/** A versioned safe-responder prompt file (`src/generation/prompts/safe-responder.json`), ja + en. */
export const safeResponderPromptSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  description: z.string().min(1).optional(),
  languages: z.strictObject({ ja: safeResponderTextSchema, en: safeResponderTextSchema }),
});

/** A validated safe-responder prompt. */
export type SafeResponderPrompt = z.output<typeof safeResponderPromptSchema>;

/** Path of the built-in safe-responder prompt (data, shipped with the package). */
export function builtinSafeResponderPromptPath(): string {
  return join(packageRoot(), "src", "generation", "prompts", "safe-responder.json");
}

/**
 * Loads and validates a safe-responder prompt file (default: the built-in one). Errors are `InputError`s
 * (`config_invalid`) naming the file and the field.
 */
export function loadSafeResponderPrompt(path: string = builtinSafeResponderPromptPath()): SafeResponderPrompt {
  const absolute = resolve(path);
  if (!existsSync(absolute)) {
    throw new InputError(
      "config_invalid",
      { file: absolute },
      "safe-responder prompt not found",
      "Reinstall medsafety or pass the path of a prompt JSON file",
    );
  }
  return readJsonFile(absolute, safeResponderPromptSchema, {
    what: "safe-responder prompt",
    example:
      "See src/generation/prompts/safe-responder.json for the expected shape (id, version, languages.ja.system, languages.en.system)",
  });
}

/** The system prompt for a conversation in `language`. */
export function safeResponderSystem(prompt: SafeResponderPrompt, language: Language): string {
  return prompt.languages[language].system;
}
