/**
 * The fixture server's simulation of the providers' prompt caches (`promptCache` option of `startFixtureServer`), so
 * cached-token usage can be tested end to end without a hosted model. Each provider is simulated as its service
 * documents it, counting tokens as the server counts its usage (four characters a token, or its `countTokens`):
 *
 * - **OpenAI, OpenAI-compatible** (automatic prefix caching): the longest prefix of the prompt (structured-output
 *   schema, system, messages, in order) seen before for the same model, compared in 64-character blocks, is reported
 *   as `cached_tokens` in steps of 128 tokens, when it makes at least `minimumTokens` (1,024). Nothing is asked for.
 * - **Anthropic** (explicit caching): only a prefix ending at a system block marked `cache_control` is cached. The first
 *   request with that prefix (same model, at least `minimumTokens`) reports it as `cache_creation_input_tokens`, later
 *   ones as `cache_read_input_tokens`. Unmarked requests are never cached, however often they repeat.
 * - **Google** (Gemini's implicit caching): like OpenAI, a repeated prefix of the same model is reported as
 *   `cachedContentTokenCount`.
 *
 * Not simulated: expiry (5 minutes to an hour on the real services: a test never waits that long), eviction and
 * breakpoints in messages or tools. Hand-written: no library simulates these services.
 */
import { createHash } from "node:crypto";
import { type DecodedRequest, type FixtureProvider, isRecord } from "./fixture-wire-formats.js";

/** The `promptCache` option: `true` for the services' own minimum, or a smaller one to exercise short prompts. */
export type FixturePromptCacheOption = boolean | { readonly minimumTokens?: number };

/** Prompt-cache tokens of one answer: both are part of its input tokens. */
export interface PromptCacheUsage {
  readonly cachedInputTokens: number;
  readonly cacheWriteTokens: number;
}

/** The smallest cacheable prefix of OpenAI, of Anthropic's Sonnet and Opus models and of Gemini 2.5 Flash. */
export const DEFAULT_MINIMUM_CACHED_TOKENS = 1024;
/** OpenAI counts cache hits in steps of 128 tokens. */
const CACHE_STEP_TOKENS = 128;
/** Prefixes are compared in blocks of this many characters (a block is shared or not). */
const BLOCK_CHARACTERS = 64;
/** Tokens OpenAI adds for each message of a chat request (as the fixture's usage with `countTokens` counts them). */
const TOKENS_PER_MESSAGE = 3;
const NO_CACHE: PromptCacheUsage = { cachedInputTokens: 0, cacheWriteTokens: 0 };

/** Counts a text's tokens as the fixture's usage does: `countTokens` when the server has one, else four characters a token. */
type TokenCounter = ((text: string) => number) | undefined;

/** What one server remembers: block hashes (prefix caches) and Anthropic's marked prefixes. */
export interface FixturePromptCache {
  /**
   * The cache tokens of a request the server is about to answer, as its provider would report them; remembers the
   * request's prefix for the next ones. `inputTokens` caps the answer (cached tokens are part of the input).
   */
  observe(
    provider: FixtureProvider,
    decoded: DecodedRequest,
    body: Record<string, unknown>,
    inputTokens: number,
  ): PromptCacheUsage;
}

/**
 * A prompt cache for one fixture server; `undefined` when the option is off. `countTokens` is the server's own
 * (`FixtureServerOptions.countTokens`), so cached tokens are counted as the answer's input tokens are.
 */
export function createFixturePromptCache(
  option: FixturePromptCacheOption | undefined,
  countTokens?: (text: string) => number,
): FixturePromptCache | undefined {
  if (option === undefined || option === false) return undefined;
  const minimumTokens =
    option === true ? DEFAULT_MINIMUM_CACHED_TOKENS : (option.minimumTokens ?? DEFAULT_MINIMUM_CACHED_TOKENS);
  const seenBlocks = new Set<string>();
  const written = new Set<string>();
  return {
    observe(provider, decoded, body, inputTokens) {
      if (provider === "anthropic") {
        return anthropicUsage(written, decoded, body, { minimumTokens, inputTokens, countTokens });
      }
      return prefixUsage(seenBlocks, provider, decoded, { minimumTokens, inputTokens, countTokens });
    },
  };
}

interface Limits {
  readonly minimumTokens: number;
  readonly inputTokens: number;
  readonly countTokens: TokenCounter;
}

/** One part of the prompt: a role marker, then its text. */
interface Segment {
  readonly marker: string;
  readonly content: string;
}

/**
 * OpenAI and Google: the longest prefix of the prompt (structured-output schema, system, messages, in order) whose
 * blocks were all seen before for the same provider and model, counted in tokens, rounded down to 128.
 */
function prefixUsage(
  seenBlocks: Set<string>,
  provider: FixtureProvider,
  decoded: DecodedRequest,
  limits: Limits,
): PromptCacheUsage {
  const segments = segmentsOf(decoded);
  const prompt = segments.map((segment) => segment.marker + segment.content).join("");
  let chain = digest(`${provider}\u0000${decoded.model}\u0000${JSON.stringify(decoded.jsonSchema ?? null)}`);
  let matched = 0;
  let matching = true;
  for (let start = 0; start + BLOCK_CHARACTERS <= prompt.length; start += BLOCK_CHARACTERS) {
    chain = digest(chain + prompt.slice(start, start + BLOCK_CHARACTERS));
    if (matching && seenBlocks.has(chain)) matched += BLOCK_CHARACTERS;
    else matching = false;
    seenBlocks.add(chain);
  }
  const tokens = roundDown(Math.min(prefixTokens(decoded, segments, matched, limits.countTokens), limits.inputTokens));
  return matched > 0 && tokens >= limits.minimumTokens ? { cachedInputTokens: tokens, cacheWriteTokens: 0 } : NO_CACHE;
}

function segmentsOf(decoded: DecodedRequest): Segment[] {
  const segments = decoded.system === undefined ? [] : [{ marker: "\u0000system\u0000", content: decoded.system }];
  for (const message of decoded.messages)
    segments.push({ marker: `\u0000${message.role}\u0000`, content: message.content });
  return segments;
}

/**
 * The tokens of the first `characters` of the prompt, as the fixture's usage counts a request: four characters a token,
 * or with `countTokens` the schema, then each message's 3 tokens and the tokens of its text inside the prefix.
 */
function prefixTokens(
  decoded: DecodedRequest,
  segments: readonly Segment[],
  characters: number,
  countTokens: TokenCounter,
): number {
  let offset = 0;
  let contentCharacters = 0;
  let tokens =
    countTokens === undefined || decoded.jsonSchema === undefined ? 0 : countTokens(JSON.stringify(decoded.jsonSchema));
  for (const segment of segments) {
    const start = offset + segment.marker.length;
    offset = start + segment.content.length;
    if (start >= characters) break;
    const inside = segment.content.slice(0, characters - start);
    contentCharacters += inside.length;
    if (countTokens !== undefined) tokens += TOKENS_PER_MESSAGE + countTokens(inside);
  }
  return countTokens === undefined ? Math.floor(contentCharacters / 4) : tokens;
}

/** Anthropic: the system text up to the last block marked `cache_control`, written once, then read. */
function anthropicUsage(
  written: Set<string>,
  decoded: DecodedRequest,
  body: Record<string, unknown>,
  limits: Limits,
): PromptCacheUsage {
  const prefix = markedSystemPrefix(body["system"]);
  if (prefix === undefined) return NO_CACHE;
  const counted = limits.countTokens === undefined ? Math.ceil(prefix.length / 4) : limits.countTokens(prefix);
  const tokens = Math.min(counted, limits.inputTokens);
  if (tokens < limits.minimumTokens) return NO_CACHE;
  // Tools (the forced `json` tool of older models) come before the system in Anthropic's cache prefix.
  const key = digest(`${decoded.model}\u0000${JSON.stringify(body["tools"] ?? null)}\u0000${prefix}`);
  if (written.has(key)) return { cachedInputTokens: tokens, cacheWriteTokens: 0 };
  written.add(key);
  return { cachedInputTokens: 0, cacheWriteTokens: tokens };
}

/** The text of the system blocks up to and including the last one with `cache_control`; undefined when none is marked. */
function markedSystemPrefix(system: unknown): string | undefined {
  if (!Array.isArray(system)) return undefined;
  const blocks = system.filter(isRecord);
  let last = -1;
  blocks.forEach((block, index) => {
    if (isRecord(block["cache_control"])) last = index;
  });
  if (last < 0) return undefined;
  return blocks
    .slice(0, last + 1)
    .map((block) => (typeof block["text"] === "string" ? block["text"] : ""))
    .join("");
}

function roundDown(tokens: number): number {
  return Math.floor(tokens / CACHE_STEP_TOKENS) * CACHE_STEP_TOKENS;
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("base64url").slice(0, 22);
}
