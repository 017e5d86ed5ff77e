import { afterEach, describe, expect, it } from "vitest";
import { type FixtureRequest, type FixtureServer, startFixtureServer } from "../testing/index.js";
import { createAiSdkModel } from "./ai-sdk-model.js";
import { chatModelContract } from "./chat-model.contract.js";
import { CONTRACT_ENV, CONTRACT_SECRET, contractSettings, fixtureTarget } from "./chat-model-targets.contract.js";
import { modelSettingsSchema } from "./model-settings.js";

// The SDK's warnings (e.g. "unknown model, max tokens limited") are expected here; keep the test output clean.
globalThis.AI_SDK_LOG_WARNINGS = false;

const SECRET = CONTRACT_SECRET;
const ENV = CONTRACT_ENV;
const settingsFor = contractSettings;

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

function recordAt(value: unknown, key: string): Record<string, unknown> {
  return asRecord(asRecord(value)[key]);
}

const adapter = (provider: FixtureRequest["provider"], model: string, supportsSeed = true) =>
  fixtureTarget({ provider, model, supportsSeed, bind: (settings) => createAiSdkModel(settings, ENV) });

chatModelContract("openai (chat completions)", adapter("openai", "openai:gpt-4o-mini"));
chatModelContract("openai-compatible", adapter("openai", "openai-compatible:llama3"));
chatModelContract("anthropic (native structured output)", adapter("anthropic", "anthropic:claude-sonnet-4-5", false));
chatModelContract(
  "anthropic (JSON tool, older models)",
  adapter("anthropic", "anthropic:claude-3-5-haiku-latest", false),
);
chatModelContract("google", adapter("google", "google:gemini-2.0-flash"));

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
