import type { ChatMessage, Language } from "../core/index.js";
import type { ChatRequest, JsonSchema } from "../providers/index.js";
import type { Rubric, RubricText } from "./rubric.js";
import { subScoreProperties } from "./sub-scores.js";

/** The conversation up to and including the assistant reply to judge (last message). */
export interface JudgeInput {
  readonly language: Language;
  readonly conversation: readonly ChatMessage[];
  readonly turnIndex: number;
}

/**
 * JSON Schema of a verdict: the judge's structured output (API models) or grammar (local models). The rationale comes
 * first (reasoning before numbers), then the label, the sub-scores (sub-scores.ts) and the score; a rubric whose score
 * is derived from its sub-scores (`derive`) asks for no score.
 */
export function verdictSchema(rubric: Rubric): JsonSchema {
  const score = {
    type: rubric.scale.continuous === true ? "number" : "integer",
    minimum: rubric.scale.min,
    maximum: rubric.scale.max,
  };
  const label = rubric.labels === undefined ? {} : { label: { type: "string", enum: [...rubric.labels] } };
  const subScores = subScoreProperties(rubric);
  const asked = rubric.derive === undefined ? { score } : {};
  const properties = { rationale: { type: "string" }, ...label, ...subScores, ...asked };
  return { type: "object", properties, required: Object.keys(properties), additionalProperties: false };
}

/**
 * Builds the judge request: the rubric's system text, then one user message holding the formatted conversation.
 * The system text is the constant part (criteria, scale, output format), byte-identical for every turn a judge
 * scores in a language, so it goes first and is marked cacheable (`cacheSystemPrompt`): providers' prompt caches
 * serve it at the cached-input price. Everything that differs per call (history, turn, reply) comes after it.
 */
export function buildJudgeRequest(rubric: Rubric, input: JudgeInput): ChatRequest {
  const text = rubric.languages[input.language];
  const response = input.conversation.at(-1);
  const user = input.conversation.at(-2);
  if (response?.role !== "assistant" || user?.role !== "user") {
    throw new Error(
      "buildJudgeRequest: the conversation must end with a user message and the assistant reply to judge",
    );
  }
  const content = fill(text.template, {
    history: formatHistory(text, input.conversation.slice(0, -2)),
    turn: String(input.turnIndex + 1),
    user: user.content,
    response: response.content,
  });
  return {
    system: text.system,
    cacheSystemPrompt: true,
    messages: [{ role: "user", content }],
    responseSchema: { name: "verdict", schema: verdictSchema(rubric) },
  };
}

function formatHistory(text: RubricText, history: readonly ChatMessage[]): string {
  if (history.length === 0) return text.noHistory;
  return history
    .map((message) => `[${message.role === "user" ? text.userLabel : text.assistantLabel}]\n${message.content}`)
    .join("\n\n");
}

/** Replaces each {{name}} once, in one pass, so text inside values is never re-expanded. */
function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(
    /\{\{(\w+)\}\}/g,
    (whole, name: string) => (Object.hasOwn(values, name) ? values[name] : undefined) ?? whole,
  );
}
