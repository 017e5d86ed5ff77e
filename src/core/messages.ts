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
  readonly inputTokens: number;
  readonly outputTokens: number;
}

export const ZERO_USAGE: Usage = { inputTokens: 0, outputTokens: 0 };

export function addUsage(left: Usage, right: Usage): Usage {
  return {
    inputTokens: left.inputTokens + right.inputTokens,
    outputTokens: left.outputTokens + right.outputTokens,
  };
}
