import { afterEach, describe, expect, it } from "vitest";
import {
  type FixtureHandler,
  type FixtureRequest,
  type FixtureServer,
  startFixtureServer,
} from "../../test/support/fixture-server.js";
import { createAiSdkModel } from "./ai-sdk-model.js";
import { type ContractContext, type ContractTarget, chatModelContract } from "./chat-model.contract.js";
import { type ModelSettings, modelSettingsSchema } from "./model-settings.js";

// The SDK's warnings (e.g. "unknown model, max tokens limited") are expected here; keep the test output clean.
globalThis.AI_SDK_LOG_WARNINGS = false;

const SECRET = "fixture-secret-key-0123456789";
const ENV = { OPENAI_API_KEY: SECRET, ANTHROPIC_API_KEY: SECRET, GOOGLE_GENERATIVE_AI_API_KEY: SECRET };

function settingsFor(model: string, baseURL: string, overrides: Partial<ModelSettings> = {}): ModelSettings {
  return { ...modelSettingsSchema.parse({ id: "contract", model, baseURL }), ...overrides };
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

function recordAt(value: unknown, key: string): Record<string, unknown> {
  return asRecord(asRecord(value)[key]);
}

function openaiSampling(body: unknown) {
  const record = asRecord(body);
  return { temperature: record["temperature"], maxTokens: record["max_tokens"], seed: record["seed"] };
}

function target(
  provider: FixtureRequest["provider"],
  model: string,
  baseURLOf: (server: FixtureServer) => string,
  readSampling: ContractTarget["readSampling"],
  supportsSeed = true,
): ContractTarget {
  return {
    provider,
    supportsSeed,
    readSampling,
    async setup(handler: FixtureHandler): Promise<ContractContext> {
      const server = await startFixtureServer({ handler });
      return {
        server,
        makeModel: (overrides = {}) => createAiSdkModel(settingsFor(model, baseURLOf(server), overrides), ENV),
        close: () => server.close(),
      };
    },
  };
}

chatModelContract(
  "openai (chat completions)",
  target("openai", "openai:gpt-4o-mini", (server) => server.openaiBaseURL, openaiSampling),
);
chatModelContract(
  "openai-compatible",
  target("openai", "openai-compatible:llama3", (server) => server.openaiBaseURL, openaiSampling),
);
chatModelContract(
  "anthropic (native structured output)",
  target("anthropic", "anthropic:claude-sonnet-4-5", (server) => server.anthropicBaseURL, anthropicSampling, false),
);
chatModelContract(
  "anthropic (JSON tool, older models)",
  target(
    "anthropic",
    "anthropic:claude-3-5-haiku-latest",
    (server) => server.anthropicBaseURL,
    anthropicSampling,
    false,
  ),
);
chatModelContract(
  "google",
  target("google", "google:gemini-2.0-flash", (server) => server.googleBaseURL, googleSampling),
);

function anthropicSampling(body: unknown) {
  const record = asRecord(body);
  return { temperature: record["temperature"], maxTokens: record["max_tokens"], seed: record["seed"] };
}

function googleSampling(body: unknown) {
  const config = recordAt(body, "generationConfig");
  return { temperature: config["temperature"], maxTokens: config["maxOutputTokens"], seed: config["seed"] };
}

describe("createAiSdkModel wire details", () => {
  let server: FixtureServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const hello = { messages: [{ role: "user", content: "Hi" }] } as const;

  it("calls the exact endpoints with each provider's auth header", async () => {
    server = await startFixtureServer({ handler: () => ({ kind: "text", text: "ok" }) });
    const running = server;
    const cases = [
      {
        model: "openai:gpt-4o-mini",
        baseURL: running.openaiBaseURL,
        header: "authorization",
        value: `Bearer ${SECRET}`,
      },
      { model: "anthropic:claude-sonnet-4-5", baseURL: running.anthropicBaseURL, header: "x-api-key", value: SECRET },
      { model: "google:gemini-2.0-flash", baseURL: running.googleBaseURL, header: "x-goog-api-key", value: SECRET },
    ];
    for (const { model, baseURL, header, value } of cases) {
      await createAiSdkModel(settingsFor(model, baseURL), ENV).generate(hello);
      expect(running.requests.at(-1)?.headers[header]).toBe(value);
    }
    expect(running.requests.map((request) => request.model)).toEqual([
      "gpt-4o-mini",
      "claude-sonnet-4-5",
      "gemini-2.0-flash",
    ]);
    const anthropicBody = asRecord(running.requests[1]?.body);
    expect(anthropicBody["output_config"]).toBeUndefined();
  });

  it("uses native output_config for new Claude models and the json tool for old ones", async () => {
    server = await startFixtureServer({ handler: () => ({ kind: "json", value: { rationale: "x", score: 1 } }) });
    const request = {
      ...hello,
      responseSchema: {
        name: "verdict",
        schema: {
          type: "object",
          properties: { score: { type: "integer" } },
          required: ["score"],
          additionalProperties: false,
        },
      },
    };
    await createAiSdkModel(settingsFor("anthropic:claude-sonnet-4-5", server.anthropicBaseURL), ENV).generate(request);
    await createAiSdkModel(settingsFor("anthropic:claude-3-5-haiku-latest", server.anthropicBaseURL), ENV).generate(
      request,
    );
    const [native, tool] = server.requests.map((entry) => asRecord(entry.body));
    expect(recordAt(recordAt(native, "output_config"), "format")["type"]).toBe("json_schema");
    expect(tool?.["tools"]).toEqual([expect.objectContaining({ name: "json" })]);
  });

  it("sends no key to an openai-compatible server unless apiKeyEnv names one", async () => {
    server = await startFixtureServer({ handler: () => ({ kind: "text", text: "ok" }) });
    await createAiSdkModel(settingsFor("openai-compatible:llama3", server.openaiBaseURL), ENV).generate(hello);
    expect(server.requests[0]?.headers["authorization"]).toBeUndefined();
    const withKey = settingsFor("openai-compatible:llama3", server.openaiBaseURL, { apiKeyEnv: "VLLM_KEY" });
    await createAiSdkModel(withKey, { VLLM_KEY: "vllm-token" }).generate(hello);
    expect(server.requests[1]?.headers["authorization"]).toBe("Bearer vllm-token");
  });

  it("refuses to start without a key, naming the variable to export", () => {
    expect(() => createAiSdkModel(settingsFor("openai:gpt-4o-mini", "http://127.0.0.1:1/v1"), {})).toThrow(
      /OPENAI_API_KEY/,
    );
    const custom = settingsFor("anthropic:claude-sonnet-4-5", "http://127.0.0.1:1/v1", { apiKeyEnv: "MY_CLAUDE_KEY" });
    expect(() => createAiSdkModel(custom, { MY_CLAUDE_KEY: " " })).toThrow(/MY_CLAUDE_KEY/);
    expect(() => createAiSdkModel(custom, {})).toThrow(expect.objectContaining({ code: "provider_auth" }));
  });

  it("keeps the API key out of error messages, even when the provider echoes it", async () => {
    const body = {
      error: {
        message: `Incorrect API key provided: ${SECRET}.`,
        type: "invalid_request_error",
        param: null,
        code: "invalid_api_key",
      },
    };
    server = await startFixtureServer({ handler: () => ({ kind: "error", status: 401, body }) });
    const error = await createAiSdkModel(settingsFor("openai:gpt-4o-mini", server.openaiBaseURL), ENV)
      .generate(hello)
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "provider_auth", statusCode: 401 });
    expect((error as Error).message).toContain("Incorrect API key provided: [redacted]");
    expect((error as Error).message).toContain("OPENAI_API_KEY");
    expect((error as Error).message).not.toContain(SECRET);
  });

  it("requires a baseURL for openai-compatible models", () => {
    const settings = modelSettingsSchema.parse({ id: "vllm", model: "openai-compatible:llama3" });
    expect(() => createAiSdkModel(settings, {})).toThrow(
      expect.objectContaining({ code: "config_invalid", message: expect.stringMatching(/baseURL/) }),
    );
  });
});
