import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sharedModel, skipWithout } from "../../test/support/requirements.js";
import { MedsafetyError } from "../core/index.js";
import type { ChatRequest } from "./chat-model.js";
import { toGbnfJsonSchema } from "./json-schema-grammar.js";
import { LocalModelPool } from "./local-model.js";
import { type ModelSettingsInput, modelSettingsSchema } from "./model-settings.js";

const modelsDir = path.resolve(import.meta.dirname, "../../../shared/models");
const storiesPath = path.join(modelsDir, "stories260K.gguf");
const randomLlamaPath = path.join(modelsDir, "llama-2-tiny-random.gguf");
const haveModels =
  !skipWithout(sharedModel("stories260K.gguf")) && !skipWithout(sharedModel("llama-2-tiny-random.gguf"));

const settings = (input: Partial<ModelSettingsInput> = {}) =>
  modelSettingsSchema.parse({ id: "stories", model: `local:${storiesPath}`, threads: 1, contextSize: 1024, ...input });
const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  messages: [{ role: "user", content }],
  temperature: 0,
  maxTokens: 48,
  ...extra,
});

describe("toGbnfJsonSchema", () => {
  it("keeps what the grammar supports, drops the rest, and turns a small integer range into an enum", () => {
    const converted = toGbnfJsonSchema({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      properties: {
        score: { type: "integer", minimum: 0, maximum: 3 },
        label: { type: "string", pattern: "^a" },
        big: { type: "integer", minimum: 0, maximum: 1e9 },
      },
      required: ["score"],
      additionalProperties: false,
    });
    expect(converted).toEqual({
      type: "object",
      properties: { score: { enum: [0, 1, 2, 3] }, label: { type: "string" }, big: { type: "integer" } },
    });
  });
});

describe.skipIf(!haveModels)("LocalModelPool (real tiny GGUF models)", () => {
  const pool = new LocalModelPool();
  afterAll(() => pool.close());

  it("answers a plain chat deterministically at temperature 0 and counts tokens", async () => {
    const model = pool.chatModel(settings());
    const first = await model.generate(ask("Tell me a story about a cat."));
    const second = await model.generate(ask("Tell me a story about a cat."));
    expect(first.text.trim()).not.toBe("");
    expect(first.usage.inputTokens).toBeGreaterThan(0);
    expect(first.usage.outputTokens).toBeGreaterThan(0);
    expect(first.usage.outputTokens).toBeLessThanOrEqual(48);
    expect(first.cached).toBe(false);
    expect(first.latencyMs).toBeGreaterThanOrEqual(0);
    expect(second.text).toBe(first.text);
    expect(model.spec).toBe(`local:${storiesPath}`);
  });

  it("takes a multi-turn history and leaks no state between calls", async () => {
    const model = pool.chatModel(settings({ id: "multi", systemPrompt: "You tell stories." }));
    const conversation: ChatRequest = {
      messages: [
        { role: "user", content: "Who is Lily?" },
        { role: "assistant", content: "Lily is a little girl who loves the park." },
        { role: "user", content: "What did Lily do next?" },
      ],
      temperature: 0,
      maxTokens: 48,
    };
    const first = await model.generate(conversation);
    const other = await model.generate(ask("Once upon a time there was a big dog."));
    const again = await model.generate(conversation);
    expect(first.text.trim()).not.toBe("");
    expect(again.text).toBe(first.text);
    expect(other.text).not.toBe(first.text);
    const single = await model.generate(ask("What did Lily do next?"));
    expect(first.usage.inputTokens).toBeGreaterThan(single.usage.inputTokens);
  });

  it("forces JSON that follows a response schema through a grammar", async () => {
    const model = pool.chatModel(settings({ id: "judge" }));
    const schema = {
      type: "object",
      properties: { rationale: { type: "string" }, score: { type: "integer", minimum: 0, maximum: 10 } },
      required: ["rationale", "score"],
    };
    const response = await model.generate(
      ask("Rate the answer.", { maxTokens: 400, responseSchema: { name: "verdict", schema } }),
    );
    const parsed: unknown = JSON.parse(response.text);
    expect(parsed).toMatchObject({ rationale: expect.any(String) });
    const score = (parsed as { score: unknown }).score;
    expect(Number.isInteger(score)).toBe(true);
    expect(score).toBeGreaterThanOrEqual(0);
    expect(score).toBeLessThanOrEqual(10);
  });

  it("shares one loaded model between bindings on the same file", async () => {
    const local = new LocalModelPool();
    try {
      const target = local.chatModel(settings({ id: "target" }));
      const judge = local.chatModel(settings({ id: "judge", contextSize: 512 }));
      await Promise.all([target.generate(ask("Hello")), judge.generate(ask("Hello"))]);
      expect(local.loadedModelCount).toBe(1);
      await target.close();
      expect(local.loadedModelCount).toBe(1);
      await judge.close();
      expect(local.loadedModelCount).toBe(0);
    } finally {
      await local.close();
      await local.close();
    }
  });

  it("queues calls when every sequence is busy and serves them all", async () => {
    const model = pool.chatModel(settings({ id: "queued", concurrency: 2 }));
    const responses = await Promise.all(
      [1, 2, 3].map(() => model.generate(ask("Once upon a time", { maxTokens: 16 }))),
    );
    expect(new Set(responses.map((response) => response.text)).size).toBe(1);
  });

  it("reports a missing file as model_unavailable naming the path", async () => {
    const model = pool.chatModel(settings({ id: "missing", model: "local:./no/such/model.gguf" }));
    const error: unknown = await model.generate(ask("Hi")).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MedsafetyError);
    expect(error).toMatchObject({ code: "model_unavailable" });
    expect((error as Error).message).toContain(path.resolve("no/such/model.gguf"));
    expect((error as Error).message).toContain("--model");
  });

  it("stops at the per-call timeout with a non-retryable provider_timeout", async () => {
    const model = pool.chatModel(settings({ id: "slow", timeoutMs: 1 }));
    const error: unknown = await model
      .generate(ask("Tell me a long story.", { maxTokens: 900 }))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "provider_timeout", isRetryable: false });
    const after = await pool.chatModel(settings({ id: "after" })).generate(ask("Tell me a story about a cat."));
    expect(after.text.trim()).not.toBe("");
  });

  it("turns a caller abort into cancelled", async () => {
    const model = pool.chatModel(settings({ id: "aborted" }));
    const controller = new AbortController();
    const pending = model.generate(ask("Tell me a long story.", { maxTokens: 900 }), { signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    await expect(pending).rejects.toMatchObject({ code: "cancelled" });
  });

  it("reports a conversation that cannot fit the context as provider_response_invalid", async () => {
    const model = pool.chatModel(settings({ id: "small", contextSize: 256 }));
    const error: unknown = await model
      .generate(ask("Once upon a time ".repeat(80), { maxTokens: 64 }))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "provider_response_invalid" });
    expect((error as Error).message).toContain("contextSize");
  });

  it("loads the Llama-2-vocabulary model and takes a Japanese prompt", async () => {
    const model = pool.chatModel(settings({ id: "ja", model: `local:${randomLlamaPath}` }));
    const response = await model.generate(ask("医療倫理について簡単に説明してください。", { maxTokens: 16 }));
    expect(typeof response.text).toBe("string");
    expect(response.usage.inputTokens).toBeGreaterThan(10);
  });
});
