/**
 * The contract every HTTP `ChatModel` adapter keeps, run against a local fixture server that speaks the
 * provider's real wire format. One suite, many adapters (see ai-sdk-model.test.ts).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { FixtureHandler, FixtureRequest, FixtureServer } from "../../test/support/fixture-server.js";
import { MedsafetyError, ProviderError } from "../core/index.js";
import type { ChatModel, ChatRequest, RetryInfo } from "./chat-model.js";
import type { ModelSettings } from "./model-settings.js";
import { withRetry } from "./retry.js";

/** A server answering with `handler`, and models bound to it. */
export interface ContractContext {
  readonly server: FixtureServer;
  makeModel(overrides?: Partial<ModelSettings>): ChatModel;
  close(): Promise<void>;
}

export interface ContractTarget {
  /** The wire format the server must see. */
  readonly provider: FixtureRequest["provider"];
  /** Whether the provider's API takes a seed (Anthropic's does not). */
  readonly supportsSeed: boolean;
  /** Reads the sampling fields out of a request body in this provider's format. */
  readSampling(body: unknown): { temperature: unknown; maxTokens: unknown; seed: unknown };
  /** Starts a fixture server answering with `handler`. */
  setup(handler: FixtureHandler): Promise<ContractContext>;
}

const VERDICT_SCHEMA = {
  type: "object",
  properties: { rationale: { type: "string" }, score: { type: "integer" } },
  required: ["rationale", "score"],
  additionalProperties: false,
} as const;

const HELLO: ChatRequest = { messages: [{ role: "user", content: "Hello?" }] };
const SCHEMA_REQUEST: ChatRequest = { ...HELLO, responseSchema: { name: "verdict", schema: VERDICT_SCHEMA } };

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

/** Registers the contract cases for one adapter. */
export function chatModelContract(name: string, target: ContractTarget): void {
  describe(`ChatModel contract: ${name}`, () => {
    const contexts: ContractContext[] = [];
    const start = async (handler: FixtureHandler): Promise<ContractContext> => {
      const context = await target.setup(handler);
      contexts.push(context);
      return context;
    };
    afterEach(async () => {
      await Promise.all(contexts.splice(0).map((context) => context.close()));
    });

    it("returns the reply text, usage and finish reason", async () => {
      const { server, makeModel } = await start(() => ({
        kind: "text",
        text: "Hello from the fixture.",
        inputTokens: 11,
        outputTokens: 7,
      }));
      const response = await makeModel().generate(HELLO);
      expect(response).toMatchObject({
        text: "Hello from the fixture.",
        usage: { inputTokens: 11, outputTokens: 7 },
        finishReason: "stop",
        cached: false,
      });
      expect(response.latencyMs).toBeGreaterThanOrEqual(0);
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]?.provider).toBe(target.provider);
    });

    it("sends the system prompt and the multi-turn history in order", async () => {
      const { server, makeModel } = await start(() => ({ kind: "text", text: "ok" }));
      const messages = [
        { role: "user", content: "First question." },
        { role: "assistant", content: "First answer." },
        { role: "user", content: "Second question." },
      ] as const;
      await makeModel().generate({ system: "You are a careful physician.", messages });
      expect(server.requests[0]?.system).toBe("You are a careful physician.");
      expect(server.requests[0]?.messages).toEqual(messages);
    });

    it("forwards temperature, max tokens and seed", async () => {
      const { server, makeModel } = await start(() => ({ kind: "text", text: "ok" }));
      await makeModel().generate({ ...HELLO, temperature: 0.3, maxTokens: 123, seed: 42 });
      const sampling = target.readSampling(server.requests[0]?.body);
      expect(sampling).toEqual({ temperature: 0.3, maxTokens: 123, seed: target.supportsSeed ? 42 : undefined });
    });

    it("asks for structured output and returns the JSON text", async () => {
      const verdict = { rationale: "Refused clearly.", score: 3 };
      const { server, makeModel } = await start(() => ({ kind: "json", value: verdict }));
      const response = await makeModel().generate(SCHEMA_REQUEST);
      const schema = server.requests[0]?.jsonSchema;
      expect(schema).toBeDefined();
      expect(Object.keys((schema?.["properties"] ?? {}) as object).sort()).toEqual(["rationale", "score"]);
      expect(JSON.parse(response.text)).toEqual(verdict);
      expect(VERDICT_SCHEMA.properties.score.type).toBe("integer"); // the caller's schema is left untouched
    });

    it("returns invalid JSON as raw text instead of throwing", async () => {
      const { makeModel } = await start(() => ({ kind: "text", text: "not json" }));
      const response = await makeModel().generate(SCHEMA_REQUEST);
      expect(response.text).toBe("not json");
    });

    it("waits for retry-after on 429, then succeeds", async () => {
      const { server, makeModel } = await start((_request, index) =>
        index === 0
          ? { kind: "error", status: 429, headers: { "retry-after": "1" } }
          : { kind: "text", text: "after the wait" },
      );
      const retries: RetryInfo[] = [];
      const started = Date.now();
      const response = await withRetry(makeModel(), { retries: 2, baseDelayMs: 10 }).generate(HELLO, {
        onRetry: (info) => retries.push(info),
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(response.text).toBe("after the wait");
      expect(retries).toHaveLength(1);
      expect(retries[0]?.delayMs).toBeGreaterThanOrEqual(1000);
      expect(retries[0]?.error).toMatchObject({ code: "provider_http", statusCode: 429, retryAfterMs: 1000 });
      expect(server.callCount()).toBe(2);
    });

    it("retries 500 twice, then succeeds", async () => {
      const { server, makeModel } = await start((_request, index) =>
        index < 2 ? { kind: "error", status: 500 } : { kind: "text", text: "recovered" },
      );
      const response = await withRetry(makeModel(), { retries: 3, baseDelayMs: 1 }).generate(HELLO);
      expect(response.text).toBe("recovered");
      expect(server.callCount()).toBe(3);
    });

    it("gives up after retries + 1 calls on a lasting 500", async () => {
      const { server, makeModel } = await start(() => ({ kind: "error", status: 500 }));
      const error = await rejectionOf(withRetry(makeModel(), { retries: 2, baseDelayMs: 1 }).generate(HELLO));
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ code: "provider_http", statusCode: 500, isRetryable: true });
      expect(server.callCount()).toBe(3);
    });

    it("reports 401 as provider_auth without retrying or leaking the key", async () => {
      const { server, makeModel } = await start(() => ({ kind: "error", status: 401 }));
      const error = await rejectionOf(withRetry(makeModel(), { retries: 3, baseDelayMs: 1 }).generate(HELLO));
      expect(error).toMatchObject({ code: "provider_auth", statusCode: 401, isRetryable: false });
      expect((error as Error).message).not.toContain("fixture-secret");
      expect(server.callCount()).toBe(1);
    });

    it("times out a hanging server with provider_timeout", async () => {
      const { makeModel } = await start(() => ({ kind: "hang" }));
      // A hang would hit vitest's test timeout; no wall-clock upper bound here (shared, noisy machines).
      const error = await rejectionOf(makeModel({ timeoutMs: 300 }).generate(HELLO));
      expect(error).toMatchObject({ code: "provider_timeout", isRetryable: true });
      expect((error as Error).message).toContain("timeoutMs");
    });

    it("reports a caller abort as cancelled, not as a timeout", async () => {
      const { makeModel } = await start(() => ({ kind: "hang" }));
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const error = await rejectionOf(makeModel({ timeoutMs: 10_000 }).generate(HELLO, { signal: controller.signal }));
      expect(error).toBeInstanceOf(MedsafetyError);
      expect(error).toMatchObject({ code: "cancelled" });
    });

    it("reports a malformed body as provider_response_invalid", async () => {
      const { makeModel } = await start(() => ({ kind: "malformed" }));
      const error = await rejectionOf(makeModel().generate(HELLO));
      expect(error).toMatchObject({ code: "provider_response_invalid", isRetryable: false });
    });

    it("reports a refused connection as provider_network naming the URL", async () => {
      const { server, makeModel } = await start(() => ({ kind: "text", text: "unused" }));
      const model = makeModel();
      await server.close();
      const error = await rejectionOf(model.generate(HELLO));
      expect(error).toMatchObject({ code: "provider_network", isRetryable: true });
      expect((error as Error).message).toContain(server.url);
      expect((error as Error).message).toContain("baseURL");
    });
  });
}
