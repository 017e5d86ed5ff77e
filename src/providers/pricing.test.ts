import { describe, expect, it } from "vitest";
import { MockChatModel } from "../testing/index.js";
import { MemoryResponseCache } from "./cache.js";
import type { ChatRequest } from "./chat-model.js";
import { createChatModel, type LocalModelFactory } from "./create-model.js";
import { modelSettingsSchema } from "./model-settings.js";
import { builtinPriceTable } from "./prices/prices.js";
import { callCost, resolvePrice, responseCost, withFrozenPrice, withPricing } from "./pricing.js";

const HELLO: ChatRequest = { messages: [{ role: "user", content: "hi" }] };
const MINI = { input: 0.15, cachedInput: 0.075, output: 0.6, batchDiscount: 0.5 };

describe("resolvePrice", () => {
  it("takes a hosted model's price from the table, dated ids included", () => {
    expect(resolvePrice({ model: "openai:gpt-4o-mini" })).toEqual(MINI);
    expect(resolvePrice({ model: "openai:gpt-4o-mini-2024-07-18" })).toEqual(MINI);
  });

  it("lets the binding's price override the table, with the provider's batch discount unless it sets one", () => {
    expect(resolvePrice({ model: "openai:gpt-4o-mini", price: { input: 1, output: 2 } })).toEqual({
      input: 1,
      output: 2,
      batchDiscount: 0.5,
    });
    expect(resolvePrice({ model: "anthropic:x", price: { input: 1, output: 2, batchDiscount: 0 } })).toEqual({
      input: 1,
      output: 2,
      batchDiscount: 0,
    });
  });

  it("prices openai-compatible: and local: models at 0 unless the binding prices them", () => {
    expect(resolvePrice({ model: "openai-compatible:llama3" })).toEqual({ input: 0, output: 0, batchDiscount: 0 });
    expect(resolvePrice({ model: "local:./model.gguf" })).toEqual({ input: 0, output: 0, batchDiscount: 0 });
    expect(resolvePrice({ model: "openai-compatible:llama3", price: { input: 0.2, output: 0.2 } })).toEqual({
      input: 0.2,
      output: 0.2,
      batchDiscount: 0,
    });
  });

  it("leaves a hosted model absent from the table unpriced (undefined, never 0)", () => {
    expect(resolvePrice({ model: "openai:ft:gpt-4o-mini:my-org" })).toBeUndefined();
    expect(resolvePrice({ model: "google:gemini-9-ultra" })).toBeUndefined();
  });
});

describe("withFrozenPrice", () => {
  it("writes the table's price and version into a hosted binding, and leaves the others as they are", () => {
    const table = builtinPriceTable();
    expect(withFrozenPrice({ id: "t", model: "openai:gpt-4o-mini" })).toEqual({
      id: "t",
      model: "openai:gpt-4o-mini",
      price: { ...MINI, source: `prices.json v${table.version} (checked ${table.checkedAt})` },
    });
    const own = { model: "openai:gpt-4o-mini", price: { input: 1, output: 1 } };
    expect(withFrozenPrice(own)).toBe(own);
    const free = { model: "local:./m.gguf" };
    expect(withFrozenPrice(free)).toBe(free);
    const unpriced = { model: "openai:unknown-model" };
    expect(withFrozenPrice(unpriced)).toBe(unpriced);
  });

  it("a frozen binding still parses and resolves to the same price", () => {
    const frozen = withFrozenPrice(modelSettingsSchema.parse({ id: "t", model: "anthropic:claude-3-5-haiku-latest" }));
    const reparsed = modelSettingsSchema.parse(frozen);
    expect(resolvePrice(reparsed)).toMatchObject({ input: 0.8, cachedInput: 0.08, cacheWrite: 1, output: 4 });
  });
});

describe("callCost", () => {
  it("prices uncached input, cache reads, cache writes and output per million tokens", () => {
    const price = { input: 3, cachedInput: 0.3, cacheWrite: 3.75, output: 15, batchDiscount: 0.5 };
    const usage = { inputTokens: 10_000, cachedInputTokens: 6_000, cacheWriteTokens: 2_000, outputTokens: 1_000 };
    // 2,000 plain × 3 + 6,000 × 0.3 + 2,000 × 3.75 + 1,000 × 15 = 6,000 + 1,800 + 7,500 + 15,000 micro-dollars.
    expect(callCost(usage, price, { batched: false, cached: false })).toBeCloseTo(0.0303, 12);
    expect(callCost(usage, price, { batched: true, cached: false })).toBeCloseTo(0.01515, 12);
    expect(callCost(usage, price, { batched: false, cached: true })).toBe(0);
  });

  it("charges cache reads and writes at the input price when the price has none", () => {
    const usage = { inputTokens: 1_000_000, cachedInputTokens: 400_000, cacheWriteTokens: 100_000, outputTokens: 0 };
    expect(callCost(usage, { input: 2, output: 8 }, { batched: true, cached: false })).toBe(2);
  });

  it("never lets reported cache counts above the input make a price negative", () => {
    const usage = { inputTokens: 100, cachedInputTokens: 500, cacheWriteTokens: 500, outputTokens: 0 };
    expect(callCost(usage, { input: 1, cachedInput: 0.5, output: 1 }, { batched: false, cached: false })).toBe(0.00005);
  });
});

describe("the pricing layer", () => {
  it("sets costUsd: the price of the usage, 0 for a response-cache hit, null when unpriced", async () => {
    const inner = new MockChatModel("ok", { usage: { inputTokens: 1_000_000, outputTokens: 1_000_000 } });
    expect((await withPricing(inner, MINI).generate(HELLO)).costUsd).toBeCloseTo(0.75, 12);
    expect((await withPricing(inner, undefined).generate(HELLO)).costUsd).toBeNull();
    const hit = new MockChatModel({ text: "ok", cached: true });
    expect((await withPricing(hit, undefined).generate(HELLO)).costUsd).toBe(0);
    const batched = new MockChatModel({ text: "ok", batched: true, usage: { inputTokens: 1e6, outputTokens: 0 } });
    expect((await withPricing(batched, MINI).generate(HELLO)).costUsd).toBeCloseTo(0.075, 12);
  });

  it("responseCost of an unpriced response from the cache is 0: no call was made", () => {
    const response = { text: "", usage: { inputTokens: 5, outputTokens: 5 }, finishReason: "stop", latencyMs: 0 };
    expect(responseCost({ ...response, cached: true }, undefined)).toBe(0);
    expect(responseCost({ ...response, cached: false }, undefined)).toBeNull();
  });

  it("sits outside the response cache in createChatModel: the second, cached answer costs 0", async () => {
    const local = new MockChatModel("answer", { usage: { inputTokens: 1_000_000, outputTokens: 0 } });
    const factory: LocalModelFactory = { chatModel: () => local };
    const settings = modelSettingsSchema.parse({ id: "m", model: "local:./m.gguf", price: { input: 2, output: 4 } });
    const model = createChatModel(settings, { env: {}, local: factory, cache: new MemoryResponseCache() });
    const first = await model.generate(HELLO);
    const second = await model.generate(HELLO);
    expect([first.cached, first.costUsd]).toEqual([false, 2]);
    expect([second.cached, second.costUsd]).toEqual([true, 0]);
    expect(local.callCount).toBe(1);
  });
});
