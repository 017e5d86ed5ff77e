import type { ChatRequest } from "../providers/index.js";
import type { JudgeInput } from "./judge-prompt.js";
import type { Rubric } from "./rubric.js";

/** Output tokens a Llama Guard answer needs at most ("unsafe" and fourteen codes); a binding's `maxTokens` wins. */
export const LLAMA_GUARD_MAX_TOKENS = 32;

/**
 * The request of a `llama-guard` judge: the conversation itself, user and assistant messages up to and including the
 * reply being judged, with no system prompt and no schema. The server must serve the model with Llama Guard's own
 * chat template (vLLM, llama.cpp server and Ollama do with the model's tokenizer config): that template writes the
 * classifier prompt (task, hazard categories, the conversation) and classifies the role of the LAST message, here the
 * assistant's reply ("response classification"). Temperature comes from the judge binding (default 0).
 */
export function buildLlamaGuardRequest(input: JudgeInput): ChatRequest {
  lastReply(input, "buildLlamaGuardRequest");
  return {
    messages: input.conversation.map((message) => ({ role: message.role, content: message.content })),
    maxTokens: LLAMA_GUARD_MAX_TOKENS,
  };
}

/**
 * The request of a `moderation` judge: only the assistant reply being judged, as the one message; the moderation model
 * (providers/moderation-model.ts) sends its text as the endpoint's `input`. The user turn is not sent: the endpoint
 * rates a text, not a conversation, and the user turn of an attack would be flagged for itself, whatever the reply.
 */
export function buildModerationRequest(input: JudgeInput): ChatRequest {
  return { messages: [{ role: "assistant", content: lastReply(input, "buildModerationRequest").content }] };
}

/** Every code a classifier rubric knows, over all its taxonomies. */
export function knownCategoryCodes(rubric: Rubric): ReadonlySet<string> {
  return new Set(Object.values(rubric.categories ?? {}).flatMap((list) => list.map((category) => category.code)));
}

/** The English name of a code (the first taxonomy that has it), for a verdict's rationale. */
export function categoryName(rubric: Rubric, code: string): string | undefined {
  for (const list of Object.values(rubric.categories ?? {})) {
    const found = list.find((category) => category.code === code);
    if (found !== undefined) return found.en;
  }
  return undefined;
}

function lastReply(input: JudgeInput, caller: string): { readonly content: string } {
  const reply = input.conversation.at(-1);
  if (reply?.role !== "assistant") {
    throw new Error(`${caller}: the conversation must end with the assistant reply to judge`);
  }
  return reply;
}
