import type { ChatRequest } from "../../providers/index.js";

/** Counts the tokens of a text (OpenAI's `o200k_base` encoding, the one gpt-4o, gpt-4.1, o3/o4 and gpt-5 use). */
export interface TokenCounter {
  count(text: string): number;
}

/** Which tokenizer a model family has, and how far an `o200k_base` count may be from what its API reports. */
export interface TokenizerFamily {
  readonly family: "openai" | "anthropic" | "google" | "other";
  /** Multiplies an `o200k_base` count to estimate the family's own count. */
  readonly factor: number;
  /** The documented tolerance of the estimate of input tokens, in percent (printed as "± N %"). */
  readonly tolerancePercent: number;
}

/**
 * The tolerance of input-token estimates by provider family (decision 0020):
 * - openai: the same tokenizer (`o200k_base`); the rest is the chat framing (3 tokens per message + 3, OpenAI's
 *   documented rule) and the structured-output schema, counted here as its JSON text: ± 5 %.
 * - anthropic: Claude's tokenizer is not public; a published comparison (Claude 3.5 Sonnet against gpt-4o on fixed
 *   prompts) found 20–30 % more tokens, so counts are multiplied by 1.25: ± 20 %.
 * - google: Gemini's SentencePiece vocabulary is of the same size class; no factor is applied: ± 20 %.
 * - other (openai-compatible, local): the server's tokenizer is unknown: ± 30 %.
 */
export function tokenizerFamily(spec: string): TokenizerFamily {
  const provider = spec.slice(0, Math.max(0, spec.indexOf(":")));
  if (provider === "openai") return { family: "openai", factor: 1, tolerancePercent: 5 };
  if (provider === "anthropic") return { family: "anthropic", factor: 1.25, tolerancePercent: 20 };
  if (provider === "google") return { family: "google", factor: 1, tolerancePercent: 20 };
  return { family: "other", factor: 1, tolerancePercent: 30 };
}

/** Tokens OpenAI's chat format adds per message, and once to prime the reply (OpenAI's documented counting rule). */
const TOKENS_PER_MESSAGE = 3;
const REPLY_PRIMING_TOKENS = 3;
/** Distinct texts whose counts are kept (system prompts and rubric texts repeat on every call). */
const MEMO_LIMIT = 4096;

/**
 * Loads the tokenizer (gpt-tokenizer, pure JavaScript) on first use, so commands that do not estimate never load it.
 * Counts of texts seen before are memoised: a run's calls repeat the same system prompts.
 */
export async function loadTokenCounter(): Promise<TokenCounter> {
  const { countTokens } = await import("gpt-tokenizer/encoding/o200k_base");
  const memo = new Map<string, number>();
  return {
    count: (text) => {
      if (text === "") return 0;
      const known = memo.get(text);
      if (known !== undefined) return known;
      const tokens = countTokens(text);
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(text, tokens);
      return tokens;
    },
  };
}

/**
 * The input tokens of a request as the model's API counts them: the system prompt, every message, the chat framing
 * and the structured-output schema (as JSON), in `o200k_base` tokens times the family's factor, rounded up.
 */
export function requestTokens(request: ChatRequest, counter: TokenCounter, family: TokenizerFamily): number {
  let tokens = REPLY_PRIMING_TOKENS;
  if (request.system !== undefined) tokens += TOKENS_PER_MESSAGE + counter.count(request.system);
  for (const message of request.messages) tokens += TOKENS_PER_MESSAGE + counter.count(message.content);
  if (request.responseSchema !== undefined) tokens += counter.count(JSON.stringify(request.responseSchema.schema));
  return Math.ceil(tokens * family.factor);
}
