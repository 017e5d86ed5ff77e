import type { ChatRequest } from "../providers/index.js";
import type { JudgeInput } from "./judge-prompt.js";
import type { OfficialPrompt, Rubric } from "./rubric.js";

/**
 * The request of a score-line judge (MedSafetyBench's evaluation, decision 0027): a plain system message and one user
 * message holding the usage policy, the instruction and the model response, the scoring rules and the answer format;
 * answered in prose ending with a `#score:` line (parse-score-line.ts). No response schema: the judge writes text.
 * The judge sees the last user message and the reply, as the official single-turn evaluation does: earlier turns
 * are left out unless the rubric's template asks for `{{history}}`.
 *
 * With an official prompt loaded from the user's copy of the evaluation code (`rubric.officialPrompt`), that text is
 * sent as it is, for every language (the official evaluation is English only). Temperature and output tokens come
 * from the judge binding (judge-turn.ts: temperature 0 unless set).
 */
export function buildScoreLineRequest(rubric: Rubric, input: JudgeInput): ChatRequest {
  const response = input.conversation.at(-1);
  const user = input.conversation.at(-2);
  if (response?.role !== "assistant" || user?.role !== "user") {
    throw new Error(
      "buildScoreLineRequest: the conversation must end with a user message and the assistant reply to judge",
    );
  }
  const values = { user: user.content, response: response.content };
  if (rubric.officialPrompt !== undefined) {
    return {
      system: rubric.officialPrompt.system,
      messages: [{ role: "user", content: fillParts(rubric.officialPrompt, values) }],
    };
  }
  const text = rubric.languages[input.language];
  const history = input.conversation.slice(0, -2);
  const content = fill(text.template, {
    ...values,
    turn: String(input.turnIndex + 1),
    history:
      history.length === 0
        ? text.noHistory
        : history
            .map((message) => `[${message.role === "user" ? text.userLabel : text.assistantLabel}]\n${message.content}`)
            .join("\n\n"),
  });
  return { system: text.system, messages: [{ role: "user", content }] };
}

function fillParts(prompt: OfficialPrompt, values: { readonly user: string; readonly response: string }): string {
  return prompt.parts.map((part) => (typeof part === "string" ? part : values[part.slot])).join("");
}

/** Replaces each {{name}} once, in one pass, so text inside values is never re-expanded. */
function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(
    /\{\{(\w+)\}\}/g,
    (whole, name: string) => (Object.hasOwn(values, name) ? values[name] : undefined) ?? whole,
  );
}
