import { afterEach, describe, expect, it } from "vitest";
import { type FixtureServer, MockChatModel, startFixtureServer } from "../testing/index.js";
import { MemoryResponseCache } from "./cache.js";
import type { ChatRequest } from "./chat-model.js";
import { createChatModel, type LocalModelFactory, withRequestDefaults } from "./create-model.js";
import { type ModelSettingsInput, modelSettingsSchema } from "./model-settings.js";

const HELLO: ChatRequest = { messages: [{ role: "user", content: "hi" }] };
const noLocal: LocalModelFactory = {
  chatModel: () => {
    throw new Error("no local models in this test");
  },
};

function settings(input: Omit<ModelSettingsInput, "id"> & { id?: string }) {
  return modelSettingsSchema.parse({ id: "target", ...input });
}

describe("createChatModel", () => {
  let server: FixtureServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("names the env var to export when the key is missing", () => {
    expect(() => createChatModel(settings({ model: "google:gemini-2.0-flash" }), { env: {}, local: noLocal })).toThrow(
      expect.objectContaining({
        code: "provider_auth",
        message: expect.stringContaining("export GOOGLE_GENERATIVE_AI_API_KEY="),
      }),
    );
    expect(() =>
      createChatModel(settings({ model: "openai:gpt-4o", apiKeyEnv: "TEAM_OPENAI_KEY" }), {
        env: { OPENAI_API_KEY: "x" },
        local: noLocal,
      }),
    ).toThrow(/TEAM_OPENAI_KEY/);
  });

  it("lists the providers when the prefix is unknown", () => {
    expect(() => createChatModel(settings({ model: "mistral:large" }), { env: {}, local: noLocal })).toThrow(
      expect.objectContaining({
        code: "provider_unknown",
        message: expect.stringMatching(/openai:.*anthropic:.*google:.*openai-compatible:.*local:/),
      }),
    );
  });

  it("hands local: models to the local factory, one call at a time by default", async () => {
    const localModel = new MockChatModel(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { text: "local", latencyMs: 5 };
      },
      { spec: "local:./model.gguf" },
    );
    const model = createChatModel(settings({ model: "local:./model.gguf", systemPrompt: "Local system." }), {
      env: {},
      local: { chatModel: () => localModel },
    });
    await Promise.all([model.generate(HELLO), model.generate(HELLO), model.generate(HELLO)]);
    expect(localModel.maxInFlight).toBe(1);
    expect(localModel.requests.map((request) => request.system)).toEqual([
      "Local system.",
      "Local system.",
      "Local system.",
    ]);
  });

  it("applies the system prompt and sampling defaults, caches, and retries through the fixture server", async () => {
    server = await startFixtureServer({
      handler: (_request, index) => (index === 0 ? { kind: "error", status: 503 } : { kind: "text", text: "fine" }),
    });
    const cache = new MemoryResponseCache();
    const model = createChatModel(
      settings({
        model: "openai-compatible:llama3",
        baseURL: server.openaiBaseURL,
        systemPrompt: "You are a doctor.",
        temperature: 0.2,
        seed: 7,
        retries: 2,
      }),
      { env: {}, cache, local: noLocal },
    );
    const first = await model.generate(HELLO);
    const second = await model.generate(HELLO);
    expect(first).toMatchObject({ text: "fine", cached: false });
    expect(second).toMatchObject({ text: "fine", cached: true, latencyMs: 0 });
    expect(server.callCount()).toBe(2); // one 503, one success, then the cache
    expect(server.requests[1]?.system).toBe("You are a doctor.");
    expect(server.requests[1]?.body).toMatchObject({ temperature: 0.2, seed: 7 });
  });
});

describe("createChatModel cache keys", () => {
  it("share answers across timeouts, retries and concurrency, but not across temperature or seed", async () => {
    const server = await startFixtureServer({
      handler: (_request, index) => ({ kind: "text", text: `answer ${index}` }),
    });
    try {
      const cache = new MemoryResponseCache();
      const make = (extra: Partial<ModelSettingsInput>) =>
        createChatModel(settings({ model: "openai-compatible:llama3", baseURL: server.openaiBaseURL, ...extra }), {
          env: {},
          cache,
          local: noLocal,
        });
      expect((await make({}).generate(HELLO)).text).toBe("answer 0");
      const sameAnswer = await make({ timeoutMs: 5_000, retries: 0, concurrency: 7, requestsPerMinute: 600 }).generate(
        HELLO,
      );
      expect(sameAnswer).toMatchObject({ text: "answer 0", cached: true });
      expect((await make({ temperature: 0.9 }).generate(HELLO)).text).toBe("answer 1");
      expect((await make({ seed: 3 }).generate(HELLO)).text).toBe("answer 2");
      expect((await make({ systemPrompt: "Other." }).generate(HELLO)).text).toBe("answer 3");
      expect(server.callCount()).toBe(4);
    } finally {
      await server.close();
    }
  });
});

describe("withRequestDefaults", () => {
  it("keeps what the request sets and fills the rest", async () => {
    const model = new MockChatModel("", { spec: "test:spy" });
    const wrapped = withRequestDefaults(model, {
      systemPrompt: "Default.",
      temperature: 1,
      maxTokens: 50,
      seed: undefined,
    });
    await wrapped.generate({ ...HELLO, system: "Explicit.", temperature: 0 });
    expect(model.requests[0]).toEqual({ ...HELLO, system: "Explicit.", temperature: 0, maxTokens: 50 });
    expect(
      withRequestDefaults(model, {
        systemPrompt: undefined,
        temperature: undefined,
        maxTokens: undefined,
        seed: undefined,
      }),
    ).toBe(model);
  });
});
