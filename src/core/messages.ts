/** Languages the project treats as first-class. */
export const LANGUAGES = ["ja", "en"] as const;
export type Language = (typeof LANGUAGES)[number];

/** One chat message. System prompts travel separately (see ChatRequest.system). */
export interface ChatMessage {
  readonly role: "user" | "assistant";
  readonly content: string;
}

/** Token usage of one or more calls. */
export interface Usage {
  /** Every input token, those read from or written to the provider's prompt cache included. */
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Input tokens read from the provider's prompt cache (part of `inputTokens`; absent: none reported). */
  readonly cachedInputTokens?: number;
  /** Input tokens written to the provider's prompt cache (Anthropic; part of `inputTokens`; absent: none reported). */
  readonly cacheWriteTokens?: number;
}

export const ZERO_USAGE: Usage = { inputTokens: 0, outputTokens: 0 };

export function addUsage(left: Usage, right: Usage): Usage {
  const cachedInputTokens = (left.cachedInputTokens ?? 0) + (right.cachedInputTokens ?? 0);
  const cacheWriteTokens = (left.cacheWriteTokens ?? 0) + (right.cacheWriteTokens ?? 0);
  return {
    inputTokens: left.inputTokens + right.inputTokens,
    outputTokens: left.outputTokens + right.outputTokens,
    ...(cachedInputTokens === 0 ? {} : { cachedInputTokens }),
    ...(cacheWriteTokens === 0 ? {} : { cacheWriteTokens }),
  };
}
