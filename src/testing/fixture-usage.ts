/**
 * The usage the fixture server reports for a text or JSON answer, shared by its synchronous endpoints
 * (fixture-server.ts) and its batch APIs (fixture-batch.ts), so a request is counted the same whichever way it came:
 * what the handler's reply leaves unset is estimated (four characters a token, or the server's `countTokens`), and
 * prompt-cache reads and writes come from the `promptCache` simulation (fixture-prompt-cache.ts) when it is on.
 */
import type { FixturePromptCache, PromptCacheUsage } from "./fixture-prompt-cache.js";
import type { AnswerToEncode, DecodedRequest, FixtureProvider } from "./fixture-wire-formats.js";

/** Counts a text's tokens (the server's `countTokens` option); undefined: four characters a token. */
export type TokenCounter = ((text: string) => number) | undefined;

/** The usage fields a handler's `text` or `json` reply may set (fixture-server.ts `FixtureUsage`). */
export interface ReplyUsage {
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly cachedInputTokens?: number;
  readonly cacheWriteTokens?: number;
}

const NO_CACHE: PromptCacheUsage = { cachedInputTokens: 0, cacheWriteTokens: 0 };

/** About four characters per token (or `countTokens`), at least one: enough for usage assertions and throughput. */
export function estimateTokens(text: string, countTokens?: TokenCounter): number {
  return Math.max(1, countTokens === undefined ? Math.ceil(text.length / 4) : countTokens(text));
}

/**
 * A request's input tokens: with a tokenizer, as OpenAI counts a chat request (3 tokens per message, the system prompt
 * being one, 3 to prime the reply, and the structured-output schema); without, its characters / 4.
 */
function estimateInputTokens(decoded: DecodedRequest, countTokens?: TokenCounter): number {
  if (countTokens !== undefined) {
    const system = decoded.system === undefined ? 0 : 3 + countTokens(decoded.system);
    const schema = decoded.jsonSchema === undefined ? 0 : countTokens(JSON.stringify(decoded.jsonSchema));
    return decoded.messages.reduce((total, message) => total + 3 + countTokens(message.content), 3 + system + schema);
  }
  const characters = decoded.messages.reduce(
    (total, message) => total + message.content.length,
    decoded.system?.length ?? 0,
  );
  return Math.max(1, Math.ceil(characters / 4));
}

/**
 * The prompt-cache tokens of a request about to be answered (the simulation remembers its prefix for the next
 * ones); none when the simulation is off. Call it once per answered request, in the order they are answered.
 */
export function observePromptCache(
  promptCache: FixturePromptCache | undefined,
  provider: FixtureProvider,
  decoded: DecodedRequest,
  body: Record<string, unknown>,
  reply: ReplyUsage,
  countTokens?: TokenCounter,
): PromptCacheUsage {
  if (promptCache === undefined) return NO_CACHE;
  const inputTokens = reply.inputTokens ?? estimateInputTokens(decoded, countTokens);
  return promptCache.observe(provider, decoded, body, inputTokens);
}

/**
 * The usage of an answer's `text`: the reply's own counts, else estimated; prompt-cache tokens the reply leaves unset
 * from `promptCache` (the simulation's, or none). Cache reads and writes are part of the input, so an estimated
 * input never counts fewer than they are.
 */
export function answerUsage(
  decoded: DecodedRequest,
  reply: ReplyUsage,
  text: string,
  promptCache: PromptCacheUsage,
  countTokens?: TokenCounter,
): Omit<AnswerToEncode, "text" | "json"> {
  const cachedInputTokens = reply.cachedInputTokens ?? promptCache.cachedInputTokens;
  const cacheWriteTokens = reply.cacheWriteTokens ?? promptCache.cacheWriteTokens;
  return {
    inputTokens:
      reply.inputTokens ?? Math.max(estimateInputTokens(decoded, countTokens), cachedInputTokens + cacheWriteTokens),
    outputTokens: reply.outputTokens ?? estimateTokens(text, countTokens),
    cachedInputTokens,
    cacheWriteTokens,
  };
}
