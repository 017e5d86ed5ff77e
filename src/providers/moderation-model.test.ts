import { afterEach, describe, expect, it } from "vitest";
import type { ModerationHandler } from "../testing/fixture-moderation.js";
import { type FixtureServer, startFixtureServer } from "../testing/index.js";
import { MemoryResponseCache } from "./cache.js";
import type { ChatRequest } from "./chat-model.js";
import { createChatModel, type LocalModelFactory } from "./create-model.js";
import { type ModelSettingsInput, modelSettingsSchema } from "./model-settings.js";
import { createModerationModel } from "./moderation-model.js";
import { resolvePrice } from "./pricing.js";

const noLocal: LocalModelFactory = {
  chatModel: () => {
    throw new Error("no local models in this test");
  },
};
const REPLY: ChatRequest = { messages: [{ role: "assistant", content: "Here is how to forge the record." }] };
const KEY = "sk-fixture-moderation-key-123456";

function settings(input: Partial<ModelSettingsInput> = {}) {
  return modelSettingsSchema.parse({ id: "moderation", model: "openai-moderation:omni-moderation-latest", ...input });
}

describe("the moderation endpoint as a ChatModel (openai-moderation:)", () => {
  let server: FixtureServer | undefined;
  const seen: Array<{ model: string; input: readonly string[] }> = [];
  afterEach(async () => {
    await server?.close();
    server = undefined;
    seen.length = 0;
  });

  async function serve(handler: ModerationHandler): Promise<FixtureServer> {
    server = await startFixtureServer({
      handler: () => ({ kind: "text", text: "chat is not used here" }),
      moderation: (request, index) => {
        seen.push(request);
        return handler(request, index);
      },
    });
    return server;
  }

  it("sends the last message as input and returns the endpoint's JSON body as text, at no cost", async () => {
    const fixture = await serve(() => ({ kind: "result", flagged: ["illicit"] }));
    const model = createChatModel(settings({ baseURL: fixture.openaiBaseURL }), {
      env: { OPENAI_API_KEY: KEY },
      local: noLocal,
    });
    const response = await model.generate(REPLY);
    expect(seen).toEqual([{ model: "omni-moderation-latest", input: ["Here is how to forge the record."] }]);
    const body = JSON.parse(response.text) as {
      model: string;
      results: Array<{ flagged: boolean; categories: Record<string, boolean>; category_applied_input_types: object }>;
    };
    expect(body.model).toBe("omni-moderation-latest");
    expect(body.results[0]?.flagged).toBe(true);
    expect(body.results[0]?.categories["illicit"]).toBe(true);
    expect(body.results[0]?.category_applied_input_types).toBeDefined();
    expect(response).toMatchObject({ usage: { inputTokens: 0, outputTokens: 0 }, cached: false, costUsd: 0 });
    expect(fixture.requests).toHaveLength(0);
  });

  it("retries a 429 with retry-after and a 500, then answers; the cache serves a repeat", async () => {
    const fixture = await serve((_request, index) =>
      index === 0
        ? { kind: "error", status: 429, headers: { "retry-after": "0" } }
        : index === 1
          ? { kind: "error", status: 500 }
          : { kind: "result", flagged: [] },
    );
    const cache = new MemoryResponseCache();
    const retries: number[] = [];
    const model = createChatModel(settings({ baseURL: fixture.openaiBaseURL, retries: 3 }), {
      env: { OPENAI_API_KEY: KEY },
      local: noLocal,
      cache,
    });
    const first = await model.generate(REPLY, { onRetry: (info) => retries.push(info.attempt) });
    expect(retries).toEqual([1, 2]);
    expect(JSON.parse(first.text)).toMatchObject({ results: [{ flagged: false }] });
    const second = await model.generate(REPLY);
    expect(second).toMatchObject({ cached: true, text: first.text, costUsd: 0 });
    expect(seen).toHaveLength(3);
  });

  it("maps failures onto the project's errors, with the key kept out of messages", async () => {
    const fixture = await serve((_request, index) =>
      index === 0
        ? { kind: "error", status: 401, body: { error: { message: `Incorrect API key provided: ${KEY}` } } }
        : index === 1
          ? { kind: "error", status: 429, headers: { "retry-after": "7" } }
          : { kind: "error", status: 500 },
    );
    const model = createModerationModel(settings({ baseURL: fixture.openaiBaseURL }), { OPENAI_API_KEY: KEY });
    const auth = (await model.generate(REPLY).then(
      () => new Error("answered"),
      (error: unknown) => error,
    )) as Error & { code: string };
    expect(auth).toMatchObject({ code: "provider_auth", isRetryable: false });
    expect(auth.message).toContain("OPENAI_API_KEY");
    expect(auth.message).not.toContain(KEY);
    await expect(model.generate(REPLY)).rejects.toMatchObject({
      code: "provider_http",
      statusCode: 429,
      retryAfterMs: 7000,
      isRetryable: true,
    });
    await expect(model.generate(REPLY)).rejects.toMatchObject({
      code: "provider_http",
      statusCode: 500,
      isRetryable: true,
    });
  });

  it("a 200 that is not a JSON object is an invalid response; a refused connection a network error", async () => {
    const fixture = await serve(() => ({ kind: "error", status: 200, body: "[1]" }));
    const model = createModerationModel(settings({ baseURL: fixture.openaiBaseURL }), { OPENAI_API_KEY: KEY });
    await expect(model.generate(REPLY)).rejects.toMatchObject({
      code: "provider_response_invalid",
      isRetryable: false,
    });
    const url = fixture.openaiBaseURL;
    await fixture.close();
    await expect(
      createModerationModel(settings({ baseURL: url }), { OPENAI_API_KEY: KEY }).generate(REPLY),
    ).rejects.toMatchObject({ code: "provider_network", isRetryable: true });
  });

  it("a cancelled call is cancelled, not an error of the endpoint", async () => {
    const fixture = await serve(() => ({ kind: "result", flagged: [] }));
    const model = createModerationModel(settings({ baseURL: fixture.openaiBaseURL }), { OPENAI_API_KEY: KEY });
    const controller = new AbortController();
    controller.abort();
    await expect(model.generate(REPLY, { signal: controller.signal })).rejects.toMatchObject({ code: "cancelled" });
  });

  it("names the key's variable when it is unset, and honours apiKeyEnv", () => {
    expect(() => createModerationModel(settings(), {})).toThrow(/export OPENAI_API_KEY=/);
    expect(() => createModerationModel(settings({ apiKeyEnv: "TEAM_KEY" }), { OPENAI_API_KEY: KEY })).toThrow(
      /TEAM_KEY/,
    );
  });

  it("is priced 0 from the price table (the endpoint is free), never unpriced", () => {
    expect(resolvePrice({ model: "openai-moderation:omni-moderation-latest" })).toMatchObject({ input: 0, output: 0 });
    expect(resolvePrice({ model: "openai-moderation:text-moderation-latest" })).toMatchObject({ input: 0, output: 0 });
    expect(resolvePrice({ model: "openai-moderation:some-future-model" })).toBeUndefined();
  });
});
