/**
 * Targets for the `ChatModel` contract (chat-model.contract.ts): any model bound to the local fixture server (in
 * the provider's real wire format), and `MockChatModel` driven by the same scripts.
 */
import { parseRetryAfter } from "../core/index.js";
import {
  type FixtureReply,
  type FixtureRequest,
  type FixtureServer,
  MockChatModel,
  type MockReply,
  mockErrors,
  startFixtureServer,
} from "../testing/index.js";
import type {
  BackendRequest,
  ContractBackend,
  ContractContext,
  ContractHandler,
  ScriptedTarget,
} from "./chat-model.contract.js";
import type { ChatModel, ChatRequest } from "./chat-model.js";
import { type ModelSettings, modelSettingsSchema } from "./model-settings.js";
import type { RetryPolicy } from "./retry.js";

/** The API key the adapters read; a contract clause checks that no error message shows it. */
export const CONTRACT_SECRET = "fixture-secret-key-0123456789";
export const CONTRACT_ENV = {
  OPENAI_API_KEY: CONTRACT_SECRET,
  ANTHROPIC_API_KEY: CONTRACT_SECRET,
  GOOGLE_GENERATIVE_AI_API_KEY: CONTRACT_SECRET,
};

/** Binding settings for `model` (a `provider:model` spec) at `baseURL`. */
export function contractSettings(
  model: string,
  baseURL: string,
  overrides: Partial<ModelSettings> = {},
): ModelSettings {
  return { ...modelSettingsSchema.parse({ id: "contract", model, baseURL }), ...overrides };
}

export interface FixtureTargetOptions {
  /** The wire format of `model`. */
  readonly provider: FixtureRequest["provider"];
  /** The `provider:model` spec, e.g. "openai:gpt-4o-mini". */
  readonly model: string;
  /** Whether the provider's API takes a seed (Anthropic's does not). Default true. */
  readonly supportsSeed?: boolean;
  /** The model under test for these settings (pointing at the fixture server). */
  bind(settings: ModelSettings): ChatModel;
  /** The model with retries (default: `bind` wrapped in `withRetry` by the contract). */
  bindRetrying?(settings: ModelSettings, policy: RetryPolicy): ChatModel;
}

/** A target whose models talk to a fresh fixture server per case. */
export function fixtureTarget(options: FixtureTargetOptions): ScriptedTarget {
  return {
    kind: "scripted",
    provider: options.provider,
    supportsSeed: options.supportsSeed ?? true,
    async setup(handler: ContractHandler): Promise<ContractContext> {
      const server = await startFixtureServer({ handler: (_request, index) => handler(index) });
      const settings = (overrides: Partial<ModelSettings> = {}) =>
        contractSettings(options.model, baseURLOf(server, options.provider), overrides);
      const { bindRetrying } = options;
      return {
        backend: fixtureBackend(server),
        makeModel: (overrides) => options.bind(settings(overrides)),
        ...(bindRetrying === undefined ? {} : { makeRetryingModel: (policy) => bindRetrying(settings(), policy) }),
        close: () => server.close(),
      };
    },
  };
}

function baseURLOf(server: FixtureServer, provider: FixtureRequest["provider"]): string {
  if (provider === "anthropic") return server.anthropicBaseURL;
  if (provider === "google") return server.googleBaseURL;
  return server.openaiBaseURL;
}

function fixtureBackend(server: FixtureServer): ContractBackend {
  return {
    url: server.url,
    requests: () => server.requests.map(toBackendRequest),
    callCount: () => server.callCount(),
    stop: () => server.close(),
  };
}

function toBackendRequest(request: FixtureRequest): BackendRequest {
  return {
    provider: request.provider,
    system: request.system,
    messages: request.messages,
    jsonSchema: request.jsonSchema,
    sampling: samplingOf(request),
  };
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

/** The sampling fields of a request body in its provider's format. */
function samplingOf(request: FixtureRequest): BackendRequest["sampling"] {
  const body = asRecord(request.body);
  if (request.provider === "google") {
    const config = asRecord(body["generationConfig"]);
    return { temperature: config["temperature"], maxTokens: config["maxOutputTokens"], seed: config["seed"] };
  }
  return { temperature: body["temperature"], maxTokens: body["max_tokens"], seed: body["seed"] };
}

const MOCK_URL = "mock://contract/v1";

/**
 * `MockChatModel` under the contract: each fixture reply becomes what the mock answers or throws (errors from
 * `mockErrors`, a hang that ends at the binding's `timeoutMs`), so tests using the mock see what real adapters do.
 */
export function mockTarget(): ScriptedTarget {
  return {
    kind: "scripted",
    provider: "mock",
    supportsSeed: true,
    async setup(handler: ContractHandler): Promise<ContractContext> {
      let reachable = true;
      const received: BackendRequest[] = [];
      const makeModel = (overrides: Partial<ModelSettings> = {}): ChatModel => {
        const timeoutMs = overrides.timeoutMs ?? 60_000;
        return new MockChatModel(
          (request) => {
            if (!reachable) return mockErrors.network(MOCK_URL);
            // Counted over every model of the case, as a server counts its requests.
            const index = received.push(mockBackendRequest(request)) - 1;
            return asMockReply(handler(index), timeoutMs);
          },
          { spec: "mock:contract", usage: { inputTokens: 5, outputTokens: 5 } },
        );
      };
      return {
        backend: {
          url: MOCK_URL,
          requests: () => received,
          callCount: () => received.length,
          stop: async () => {
            reachable = false;
          },
        },
        makeModel,
        close: async () => {},
      };
    },
  };
}

function mockBackendRequest(request: ChatRequest): BackendRequest {
  return {
    provider: "mock",
    system: request.system,
    messages: request.messages,
    jsonSchema: request.responseSchema?.schema,
    sampling: { temperature: request.temperature, maxTokens: request.maxTokens, seed: request.seed },
  };
}

function asMockReply(reply: FixtureReply, timeoutMs: number): MockReply | Promise<MockReply> {
  const usage = (input: number | undefined, output: number | undefined) => ({
    inputTokens: input ?? 5,
    outputTokens: output ?? 5,
  });
  switch (reply.kind) {
    case "text":
      return { text: reply.text, usage: usage(reply.inputTokens, reply.outputTokens) };
    case "json":
      return { text: JSON.stringify(reply.value), usage: usage(reply.inputTokens, reply.outputTokens) };
    case "error":
      return reply.status === 401 ? mockErrors.auth() : mockErrors.http(reply.status, parseRetryAfter(reply.headers));
    case "malformed":
      return mockErrors.invalidResponse();
    case "hang":
      return new Promise((resolve) => setTimeout(() => resolve(mockErrors.timeout(timeoutMs)), timeoutMs).unref());
  }
}
