import { afterEach, describe, expect, it } from "vitest";
import { type FixtureServer, startFixtureServer } from "../testing/index.js";
import { CONTRACT_ENV, contractSettings } from "./chat-model-targets.contract.js";
import { createChatModel, type LocalModelFactory } from "./create-model.js";
import type { ModelSettings } from "./model-settings.js";

// The SDK's warnings (e.g. "unknown model") are expected here; keep the test output clean.
globalThis.AI_SDK_LOG_WARNINGS = false;

const noLocal: LocalModelFactory = {
  chatModel: () => {
    throw new Error("no local models in this test");
  },
};
const hello = { messages: [{ role: "user" as const, content: "Hi" }] };

/** USD of `tokens` at `usdPerMillion`. */
const usd = (tokens: number, usdPerMillion: number): number => (tokens * usdPerMillion) / 1e6;

describe("prompt-cache tokens from every provider's usage, stored in ChatResponse.usage and priced", () => {
  let server: FixtureServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function callWith(
    reply: { inputTokens: number; outputTokens: number; cachedInputTokens?: number; cacheWriteTokens?: number },
    settings: (server: FixtureServer) => ModelSettings,
  ) {
    server = await startFixtureServer({ handler: () => ({ kind: "text", text: "ok", ...reply }) });
    const model = createChatModel(settings(server), { env: CONTRACT_ENV, local: noLocal });
    try {
      return await model.generate(hello);
    } finally {
      await model.close();
    }
  }

  it("OpenAI chat completions: prompt_tokens_details.cached_tokens, at the table's gpt-4o-mini price", async () => {
    const response = await callWith({ inputTokens: 2000, cachedInputTokens: 1536, outputTokens: 100 }, (running) =>
      contractSettings("openai:gpt-4o-mini", running.openaiBaseURL),
    );
    expect(response.usage).toEqual({ inputTokens: 2000, cachedInputTokens: 1536, outputTokens: 100 });
    expect(response.costUsd).toBeCloseTo(usd(464, 0.15) + usd(1536, 0.075) + usd(100, 0.6), 15);
  });

  it("OpenAI-compatible servers: the same field, at the binding's own price", async () => {
    const response = await callWith({ inputTokens: 1000, cachedInputTokens: 800, outputTokens: 10 }, (running) =>
      contractSettings("openai-compatible:llama3", running.openaiBaseURL, {
        price: { input: 1, cachedInput: 0.5, output: 2 },
      }),
    );
    expect(response.usage).toEqual({ inputTokens: 1000, cachedInputTokens: 800, outputTokens: 10 });
    expect(response.costUsd).toBeCloseTo(usd(200, 1) + usd(800, 0.5) + usd(10, 2), 15);
  });

  it("Anthropic: cache_read_input_tokens and cache_creation_input_tokens beside input_tokens, writes at 1.25 ×", async () => {
    const response = await callWith(
      { inputTokens: 3000, cachedInputTokens: 1000, cacheWriteTokens: 1500, outputTokens: 50 },
      (running) => contractSettings("anthropic:claude-3-5-haiku-latest", running.anthropicBaseURL),
    );
    // The wire's input_tokens (500) excludes the cache's tokens; the usage counts every input token.
    expect(response.usage).toEqual({
      inputTokens: 3000,
      cachedInputTokens: 1000,
      cacheWriteTokens: 1500,
      outputTokens: 50,
    });
    expect(response.costUsd).toBeCloseTo(usd(500, 0.8) + usd(1000, 0.08) + usd(1500, 1) + usd(50, 4), 15);
  });

  it("Google: usageMetadata.cachedContentTokenCount, at the table's gemini-2.0-flash price", async () => {
    const response = await callWith({ inputTokens: 2000, cachedInputTokens: 1024, outputTokens: 10 }, (running) =>
      contractSettings("google:gemini-2.0-flash", running.googleBaseURL),
    );
    expect(response.usage).toEqual({ inputTokens: 2000, cachedInputTokens: 1024, outputTokens: 10 });
    expect(response.costUsd).toBeCloseTo(usd(976, 0.1) + usd(1024, 0.025) + usd(10, 0.4), 15);
  });

  it("no cache fields when the provider reports none; a hosted model without a price costs null, not 0", async () => {
    const response = await callWith({ inputTokens: 40, outputTokens: 2 }, (running) =>
      contractSettings("openai:house-model-7", running.openaiBaseURL),
    );
    expect(response.usage).toEqual({ inputTokens: 40, outputTokens: 2 });
    expect(response.costUsd).toBeNull();
  });
});
