import { hashValue } from "../core/index.js";
import type { ChatModel, ChatRequest, ChatResponse } from "./chat-model.js";

/** Where successful responses are kept between calls (and runs: the store implements it over SQLite). */
export interface ResponseCache {
  get(key: string): ChatResponse | undefined;
  set(key: string, response: ChatResponse): void;
}

/** What, besides the request, decides a model's answer. Timeouts, retries and concurrency do not. */
export interface CacheKeyParts {
  /** The `provider:model` spec. */
  readonly spec: string;
  readonly baseURL?: string;
  /** The binding's default system prompt, when one applies to requests without `system`. */
  readonly systemPrompt?: string;
}

/**
 * The cache key of a request: a hash of the canonical JSON of the spec, base URL, default system prompt and
 * every request field that changes the answer (system, messages, temperature, maxTokens, seed, responseSchema), and
 * the request's epoch when > 0 (repeated sampling: each epoch is its own answer).
 */
export function responseCacheKey(parts: CacheKeyParts, request: ChatRequest): string {
  return hashValue(
    {
      version: 1,
      spec: parts.spec,
      baseURL: parts.baseURL ?? null,
      systemPrompt: parts.systemPrompt ?? null,
      system: request.system ?? null,
      messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
      temperature: request.temperature ?? null,
      maxTokens: request.maxTokens ?? null,
      seed: request.seed ?? null,
      responseSchema: request.responseSchema ?? null,
      // A later epoch is its own sample (decision 0030); absent for epoch 0, so earlier keys stay valid.
      ...(request.epoch === undefined || request.epoch === 0 ? {} : { epoch: request.epoch }),
    },
    32,
  );
}

/**
 * Wraps a model so a request seen before is answered from `cache` (`cached: true`, `latencyMs: 0`) without a
 * call. Only successful responses are stored; errors always reach the caller and are never remembered.
 */
export function withCache(model: ChatModel, cache: ResponseCache, keyParts: CacheKeyParts): ChatModel {
  return {
    spec: model.spec,
    close: () => model.close(),
    async generate(request, options) {
      const key = responseCacheKey(keyParts, request);
      const hit = cache.get(key);
      if (hit !== undefined) return { ...hit, cached: true, latencyMs: 0 };
      const response = await model.generate(request, options);
      cache.set(key, response);
      return response;
    },
  };
}

/** A `ResponseCache` in a Map, for tests and single runs. */
export class MemoryResponseCache implements ResponseCache {
  readonly #entries = new Map<string, ChatResponse>();

  get(key: string): ChatResponse | undefined {
    return this.#entries.get(key);
  }

  set(key: string, response: ChatResponse): void {
    this.#entries.set(key, response);
  }

  /** Number of stored responses. */
  get size(): number {
    return this.#entries.size;
  }
}
