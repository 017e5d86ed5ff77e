import { z } from "zod";
import { jsonObjects } from "../../core/index.js";
import type { JsonSchema } from "../../providers/index.js";

/** What a task's parser says about a raw answer: the validated value, or the problem (kept with the raw text). */
export type ParseOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: string };

/** A structured-output contract: the JSON Schema sent to the provider and the zod validation of the answer. */
export interface StructuredOutput<T> {
  readonly responseSchema: { readonly name: string; readonly schema: JsonSchema };
  parse(text: string): ParseOutcome<T>;
}

/**
 * Builds a structured-output contract from one zod schema: the provider gets its JSON Schema, and the answer is
 * validated by the same schema. An answer wrapped in prose or a code fence is accepted if one JSON object in it
 * validates; otherwise the problem names the field (`turns.1: must not be empty`).
 */
export function structuredOutput<S extends z.ZodType>(name: string, schema: S): StructuredOutput<z.output<S>> {
  const { $schema: _ignored, ...jsonSchema } = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
  }) as Record<string, unknown>;
  return {
    responseSchema: { name, schema: jsonSchema },
    parse: (text) => parseWith(schema, text),
  };
}

function parseWith<S extends z.ZodType>(schema: S, text: string): ParseOutcome<z.output<S>> {
  if (text.trim() === "") return { ok: false, problem: "the model returned no text" };
  let firstProblem: string | undefined;
  for (const candidate of jsonObjects(text)) {
    const parsed = schema.safeParse(candidate);
    if (parsed.success) return { ok: true, value: parsed.data };
    const issue = parsed.error.issues[0];
    firstProblem ??= `${issue?.path.map(String).join(".") || "answer"}: ${issue?.message ?? "does not match the schema"}`;
  }
  return { ok: false, problem: firstProblem ?? "the answer holds no JSON object" };
}
