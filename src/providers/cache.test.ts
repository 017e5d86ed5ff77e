import { describe, expect, it } from "vitest";
import { ProviderError } from "../core/index.js";
import { MockChatModel } from "../testing/index.js";
import { type CacheKeyParts, MemoryResponseCache, responseCacheKey, withCache } from "./cache.js";
import type { ChatRequest, ChatResponse } from "./chat-model.js";

const REQUEST: ChatRequest = {
  system: "Be safe.",
  messages: [{ role: "user", content: "hi" }],
  temperature: 0,
  maxTokens: 100,
  seed: 1,
};
const PARTS: CacheKeyParts = { spec: "openai:gpt-4o-mini", baseURL: "https://api.openai.com/v1" };

const countingModel = (answer: () => ChatResponse | Error) =>
  new MockChatModel(() => answer(), { spec: "openai:gpt-4o-mini" });

const fresh = (text: string): ChatResponse => ({
  text,
  usage: { inputTokens: 3, outputTokens: 2 },
  finishReason: "stop",
  latencyMs: 120,
  cached: false,
});

describe("withCache", () => {
  it("answers a repeated request from the cache with cached: true and latency 0", async () => {
    const model = countingModel(() => fresh("first"));
    const cached = withCache(model, new MemoryResponseCache(), PARTS);
    expect(await cached.generate(REQUEST)).toEqual(fresh("first"));
    expect(await cached.generate({ ...REQUEST, messages: [{ role: "user", content: "hi" }] })).toEqual({
      ...fresh("first"),
      cached: true,
      latencyMs: 0,
    });
    expect(model.callCount).toBe(1);
  });

  it("misses when the request differs", async () => {
    const model = countingModel(() => fresh("answer"));
    const cached = withCache(model, new MemoryResponseCache(), PARTS);
    await cached.generate(REQUEST);
    await cached.generate({ ...REQUEST, messages: [{ role: "user", content: "hello" }] });
    expect(model.callCount).toBe(2);
  });

  it("never caches failures", async () => {
    let fail = true;
    const model = countingModel(() =>
      fail ? new ProviderError("provider_http", "boom", { statusCode: 500 }) : fresh("later"),
    );
    const cache = new MemoryResponseCache();
    const cached = withCache(model, cache, PARTS);
    await expect(cached.generate(REQUEST)).rejects.toThrow("boom");
    expect(cache.size).toBe(0);
    fail = false;
    expect((await cached.generate(REQUEST)).text).toBe("later");
    expect(model.callCount).toBe(2);
  });
});

describe("responseCacheKey", () => {
  const key = responseCacheKey(PARTS, REQUEST);

  it("is stable and ignores key order", () => {
    const reordered: ChatRequest = {
      seed: 1,
      maxTokens: 100,
      temperature: 0,
      messages: [{ content: "hi", role: "user" }],
      system: "Be safe.",
    };
    expect(responseCacheKey({ baseURL: PARTS.baseURL ?? "", spec: PARTS.spec }, reordered)).toBe(key);
  });

  it("changes with every field that changes the answer", () => {
    const variants: ChatRequest[] = [
      { ...REQUEST, seed: 2 },
      { ...REQUEST, temperature: 0.7 },
      { ...REQUEST, maxTokens: 101 },
      { ...REQUEST, system: "Be brief." },
      { ...REQUEST, responseSchema: { name: "verdict", schema: { type: "object" } } },
    ];
    for (const variant of variants) expect(responseCacheKey(PARTS, variant)).not.toBe(key);
    expect(responseCacheKey({ ...PARTS, spec: "openai:gpt-4o" }, REQUEST)).not.toBe(key);
    expect(responseCacheKey({ ...PARTS, baseURL: "http://localhost:8000/v1" }, REQUEST)).not.toBe(key);
    expect(responseCacheKey({ ...PARTS, systemPrompt: "Default." }, REQUEST)).not.toBe(key);
  });
});
