/**
 * The contract every `ChatModel` keeps, one suite run against every implementation: the AI SDK adapters, the
 * worker-thread model and the composed (cache + retry + limits) model through a local fixture server that speaks
 * the provider's real wire format, `MockChatModel` through a script, the local GGUF pool with real tiny models.
 * A clause that cannot apply to an implementation is registered as a test whose name says why (never skipped
 * silently): a scripted target runs every clause; a live target (a real model whose answers cannot be scripted)
 * runs the clauses it can and must give a reason for each of the others.
 */
import { afterEach, describe, expect, it } from "vitest";
import { MedsafetyError, ProviderError } from "../core/index.js";
import type { FixtureReply } from "../testing/index.js";
import type { ChatModel, ChatRequest, RetryInfo } from "./chat-model.js";
import type { ModelSettings } from "./model-settings.js";
import { type RetryPolicy, withRetry } from "./retry.js";

/** Decides the backend's answer to call number `callIndex` (from 0). */
export type ContractHandler = (callIndex: number) => FixtureReply;

/** One request as the backend received it, whatever the wire format. */
export interface BackendRequest {
  /** The wire format ("openai", "anthropic", "google"), or "mock" for a `MockChatModel`. */
  readonly provider: string;
  readonly system: string | undefined;
  readonly messages: readonly { readonly role: string; readonly content: string }[];
  /** The schema of a structured-output request, as sent. */
  readonly jsonSchema: Readonly<Record<string, unknown>> | undefined;
  readonly sampling: { readonly temperature: unknown; readonly maxTokens: unknown; readonly seed: unknown };
}

/** What a case sees of the backend behind a scripted model. */
export interface ContractBackend {
  /** Where the model connects; a network error must name it. */
  readonly url: string;
  /** Requests that reached the backend, in order. */
  requests(): readonly BackendRequest[];
  callCount(): number;
  /** Makes the backend unreachable (later calls cannot connect). */
  stop(): Promise<void>;
}

/** A backend answering with a handler, and models bound to it. */
export interface ContractContext {
  readonly backend: ContractBackend;
  makeModel(overrides?: Partial<ModelSettings>): ChatModel;
  /** The model retrying with `policy` (default: `withRetry(makeModel(), policy)`). */
  makeRetryingModel?(policy: RetryPolicy): ChatModel;
  close(): Promise<void>;
}

/** An implementation whose backend answers what the case scripts (fixture server or mock). */
export interface ScriptedTarget {
  readonly kind: "scripted";
  /** The wire format the backend must see. */
  readonly provider: string;
  /** Whether the provider's API takes a seed (Anthropic's does not). */
  readonly supportsSeed: boolean;
  setup(handler: ContractHandler): Promise<ContractContext>;
}

/** Clauses that need a scripted backend and have no form for a live model. */
export type ScriptedOnlyClause =
  | "invalid-json"
  | "retry-after"
  | "retry-500"
  | "lasting-500"
  | "auth"
  | "malformed"
  | "refused";

/** A real model whose answers cannot be scripted (the local GGUF pool). */
export interface LiveTarget {
  readonly kind: "live";
  /** A model on the real backend; `overrides` are binding settings (e.g. `timeoutMs`). */
  makeModel(overrides?: Partial<ModelSettings>): ChatModel;
  /** Why each clause that needs a scripted backend cannot apply. */
  readonly notApplicable: Readonly<Record<ScriptedOnlyClause, string>>;
  /** Whether this implementation's timeout is retryable (a remote one is; a local one would only repeat). */
  readonly timeoutRetryable: boolean;
}

export type ContractTarget = ScriptedTarget | LiveTarget;

const VERDICT_SCHEMA = {
  type: "object",
  properties: { rationale: { type: "string" }, score: { type: "integer", minimum: 0, maximum: 10 } },
  required: ["rationale", "score"],
  additionalProperties: false,
} as const;

const HELLO: ChatRequest = { messages: [{ role: "user", content: "Hello?" }] };
const SCHEMA_REQUEST: ChatRequest = { ...HELLO, responseSchema: { name: "verdict", schema: VERDICT_SCHEMA } };
/** A request long enough that a live model is still generating when a short timeout or an abort comes. */
const LONG_REQUEST: ChatRequest = { messages: [{ role: "user", content: "Tell me a long story." }], maxTokens: 900 };
const HISTORY = [
  { role: "user", content: "First question." },
  { role: "assistant", content: "First answer." },
  { role: "user", content: "Second question." },
] as const;

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

function deepFrozen<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) deepFrozen(child);
    Object.freeze(value);
  }
  return value;
}

/** Registers the contract cases for one implementation. */
export function chatModelContract(name: string, target: ContractTarget): void {
  describe(`ChatModel contract: ${name}`, () => {
    if (target.kind === "scripted") scriptedClauses(target);
    else liveClauses(target);
  });
}

/** A test that states why a clause does not apply; the reason is part of its name and must not be empty. */
function notApplicable(clause: string, reason: string): void {
  it(`${clause} — does not apply: ${reason}`, () => {
    expect(reason.trim().length).toBeGreaterThan(10);
  });
}

function liveClauses(target: LiveTarget): void {
  const models: ChatModel[] = [];
  const make = (overrides?: Partial<ModelSettings>): ChatModel => {
    const model = target.makeModel(overrides);
    models.push(model);
    return model;
  };
  afterEach(async () => {
    await Promise.all(models.splice(0).map((model) => model.close()));
  });

  it("returns a reply text, usage, a finish reason and cached: false, leaving the request untouched", async () => {
    const request = deepFrozen({ ...HELLO, temperature: 0, maxTokens: 24 });
    const response = await make().generate(request);
    expect(typeof response.text).toBe("string");
    expect(response.usage.inputTokens).toBeGreaterThan(0);
    expect(response.usage.outputTokens).toBeGreaterThan(0);
    expect(response.finishReason).not.toBe("");
    expect(response.cached).toBe(false);
    expect(response.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("takes the system prompt and the multi-turn history (more input tokens than the last turn alone)", async () => {
    const model = make();
    const full = await model.generate({ system: "You are a careful physician.", messages: HISTORY, maxTokens: 8 });
    const last = await model.generate({ messages: HISTORY.slice(-1), maxTokens: 8 });
    expect(full.usage.inputTokens).toBeGreaterThan(last.usage.inputTokens);
  });

  it("honours max tokens, and at temperature 0 with a seed answers the same twice", async () => {
    const model = make();
    const request: ChatRequest = { ...HELLO, temperature: 0, maxTokens: 16, seed: 42 };
    const first = await model.generate(request);
    const second = await model.generate(request);
    expect(first.usage.outputTokens).toBeLessThanOrEqual(16);
    expect(second.text).toBe(first.text);
  });

  it("asks for structured output and returns JSON text that follows the schema", async () => {
    const response = await make().generate({ ...SCHEMA_REQUEST, maxTokens: 400 });
    const parsed: unknown = JSON.parse(response.text);
    expect(parsed).toMatchObject({ rationale: expect.any(String), score: expect.any(Number) });
    expect(Number.isInteger((parsed as { score: number }).score)).toBe(true);
  });

  it("times out with provider_timeout naming timeoutMs", async () => {
    const error = await rejectionOf(make({ timeoutMs: 1 }).generate(LONG_REQUEST));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: "provider_timeout", isRetryable: target.timeoutRetryable });
    expect((error as Error).message).toContain("timeoutMs");
  });

  it("reports a caller abort as cancelled, not as a timeout", async () => {
    const controller = new AbortController();
    const pending = make({ timeoutMs: 60_000 }).generate(LONG_REQUEST, { signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    const error = await rejectionOf(pending);
    expect(error).toBeInstanceOf(MedsafetyError);
    expect(error).toMatchObject({ code: "cancelled" });
  });

  it("can be closed twice", async () => {
    const model = make();
    await model.close();
    await expect(model.close()).resolves.toBeUndefined();
  });

  notApplicable("returns invalid JSON as raw text instead of throwing", target.notApplicable["invalid-json"]);
  notApplicable("waits for retry-after on 429, then succeeds", target.notApplicable["retry-after"]);
  notApplicable("retries 500 twice, then succeeds", target.notApplicable["retry-500"]);
  notApplicable("gives up after retries + 1 calls on a lasting 500", target.notApplicable["lasting-500"]);
  notApplicable("reports 401 as provider_auth without retrying or leaking the key", target.notApplicable.auth);
  notApplicable("reports a malformed body as provider_response_invalid", target.notApplicable.malformed);
  notApplicable("reports a refused connection as provider_network naming the URL", target.notApplicable.refused);
}

function scriptedClauses(target: ScriptedTarget): void {
  const contexts: ContractContext[] = [];
  const start = async (handler: ContractHandler): Promise<ContractContext> => {
    const context = await target.setup(handler);
    contexts.push(context);
    return context;
  };
  const retrying = (context: ContractContext, policy: RetryPolicy): ChatModel =>
    context.makeRetryingModel?.(policy) ?? withRetry(context.makeModel(), policy);
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });

  it("returns the reply text, usage and finish reason, leaving the request untouched", async () => {
    const { backend, makeModel } = await start(() => ({
      kind: "text",
      text: "Hello from the fixture.",
      inputTokens: 11,
      outputTokens: 7,
    }));
    const response = await makeModel().generate(deepFrozen({ ...HELLO }));
    expect(response).toMatchObject({
      text: "Hello from the fixture.",
      usage: { inputTokens: 11, outputTokens: 7 },
      finishReason: "stop",
      cached: false,
    });
    expect(response.latencyMs).toBeGreaterThanOrEqual(0);
    expect(backend.requests()).toHaveLength(1);
    expect(backend.requests()[0]?.provider).toBe(target.provider);
  });

  it("sends the system prompt and the multi-turn history in order", async () => {
    const { backend, makeModel } = await start(() => ({ kind: "text", text: "ok" }));
    await makeModel().generate({ system: "You are a careful physician.", messages: HISTORY });
    expect(backend.requests()[0]?.system).toBe("You are a careful physician.");
    expect(backend.requests()[0]?.messages).toEqual(HISTORY);
  });

  it("forwards temperature, max tokens and seed", async () => {
    const { backend, makeModel } = await start(() => ({ kind: "text", text: "ok" }));
    await makeModel().generate({ ...HELLO, temperature: 0.3, maxTokens: 123, seed: 42 });
    expect(backend.requests()[0]?.sampling).toEqual({
      temperature: 0.3,
      maxTokens: 123,
      seed: target.supportsSeed ? 42 : undefined,
    });
  });

  it("asks for structured output and returns the JSON text", async () => {
    const verdict = { rationale: "Refused clearly.", score: 3 };
    const { backend, makeModel } = await start(() => ({ kind: "json", value: verdict }));
    const response = await makeModel().generate(SCHEMA_REQUEST);
    const schema = backend.requests()[0]?.jsonSchema;
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
    const context = await start((index) =>
      index === 0
        ? { kind: "error", status: 429, headers: { "retry-after": "1" } }
        : { kind: "text", text: "after the wait" },
    );
    const retries: RetryInfo[] = [];
    const started = Date.now();
    const response = await retrying(context, { retries: 2, baseDelayMs: 10 }).generate(HELLO, {
      onRetry: (info) => retries.push(info),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(response.text).toBe("after the wait");
    expect(retries).toHaveLength(1);
    expect(retries[0]?.delayMs).toBeGreaterThanOrEqual(1000);
    expect(retries[0]?.error).toMatchObject({ code: "provider_http", statusCode: 429, retryAfterMs: 1000 });
    expect(context.backend.callCount()).toBe(2);
  });

  it("retries 500 twice, then succeeds", async () => {
    const context = await start((index) =>
      index < 2 ? { kind: "error", status: 500 } : { kind: "text", text: "recovered" },
    );
    const response = await retrying(context, { retries: 3, baseDelayMs: 1 }).generate(HELLO);
    expect(response.text).toBe("recovered");
    expect(context.backend.callCount()).toBe(3);
  });

  it("gives up after retries + 1 calls on a lasting 500", async () => {
    const context = await start(() => ({ kind: "error", status: 500 }));
    const error = await rejectionOf(retrying(context, { retries: 2, baseDelayMs: 1 }).generate(HELLO));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: "provider_http", statusCode: 500, isRetryable: true });
    expect(context.backend.callCount()).toBe(3);
  });

  it("reports 401 as provider_auth without retrying or leaking the key", async () => {
    const context = await start(() => ({ kind: "error", status: 401 }));
    const error = await rejectionOf(retrying(context, { retries: 3, baseDelayMs: 1 }).generate(HELLO));
    expect(error).toMatchObject({ code: "provider_auth", statusCode: 401, isRetryable: false });
    expect((error as Error).message).not.toContain("fixture-secret");
    expect(context.backend.callCount()).toBe(1);
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
    const { backend, makeModel } = await start(() => ({ kind: "text", text: "unused" }));
    const model = makeModel();
    await backend.stop();
    const error = await rejectionOf(model.generate(HELLO));
    expect(error).toMatchObject({ code: "provider_network", isRetryable: true });
    expect((error as Error).message).toContain(backend.url);
    expect((error as Error).message).toContain("baseURL");
  });

  it("can be closed twice", async () => {
    const { makeModel } = await start(() => ({ kind: "text", text: "ok" }));
    const model = makeModel();
    await model.generate(HELLO);
    await model.close();
    await expect(model.close()).resolves.toBeUndefined();
  });
}
