import { describe, expect, it } from "vitest";
import { MedsafetyError, ProviderError } from "../core/index.js";
import { MockChatModel } from "../testing/index.js";
import type { ChatRequest, ChatResponse, RetryInfo } from "./chat-model.js";
import { abortableSleep, MAX_RETRY_AFTER_MS, retryDelayMs, type Sleep, withRetry } from "./retry.js";

const REQUEST: ChatRequest = { messages: [{ role: "user", content: "hi" }] };
const OK: ChatResponse = {
  text: "ok",
  usage: { inputTokens: 1, outputTokens: 1 },
  finishReason: "stop",
  latencyMs: 5,
  cached: false,
};

/** A model that plays back a script: errors are thrown, responses returned; counts its calls. */
const scriptedModel = (script: readonly (Error | ChatResponse)[]) =>
  new MockChatModel(script, { spec: "test:scripted" });

function recordingSleep(): { sleep: Sleep; waits: number[] } {
  const waits: number[] = [];
  return { waits, sleep: async (ms) => void waits.push(ms) };
}

const http500 = () => new ProviderError("provider_http", "server error", { statusCode: 500 });

describe("withRetry", () => {
  it("retries retryable errors with full-jitter exponential backoff, then succeeds", async () => {
    const model = scriptedModel([http500(), http500(), http500(), OK]);
    const { sleep, waits } = recordingSleep();
    const retries: RetryInfo[] = [];
    const response = await withRetry(model, { retries: 4, baseDelayMs: 100, sleep, random: () => 0.5 }).generate(
      REQUEST,
      {
        onRetry: (info) => retries.push(info),
      },
    );
    expect(response).toBe(OK);
    expect(model.callCount).toBe(4);
    expect(waits).toEqual([50, 100, 200]);
    expect(retries.map((info) => [info.attempt, info.delayMs])).toEqual([
      [1, 50],
      [2, 100],
      [3, 200],
    ]);
  });

  it("caps the backoff at maxDelayMs", () => {
    const policy = { retries: 10, baseDelayMs: 1_000, maxDelayMs: 5_000, random: () => 0.999 };
    expect(retryDelayMs(10, http500(), policy)).toBe(4_995);
  });

  it("waits at least retry-after, even past maxDelayMs, up to five minutes", () => {
    const policy = { retries: 3, baseDelayMs: 100, maxDelayMs: 1_000, random: () => 0.5 };
    const retryAfter = (ms: number) =>
      new ProviderError("provider_http", "slow down", { statusCode: 429, retryAfterMs: ms });
    expect(retryDelayMs(1, retryAfter(800), policy)).toBe(800);
    expect(retryDelayMs(1, retryAfter(20_000), policy)).toBe(20_000);
    expect(retryDelayMs(1, retryAfter(3_600_000), policy)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryDelayMs(1, retryAfter(0), policy)).toBe(50);
  });

  it("rethrows non-retryable errors unchanged, without waiting", async () => {
    const unauthorized = new ProviderError("provider_auth", "bad key", { statusCode: 401 });
    const model = scriptedModel([unauthorized]);
    const { sleep, waits } = recordingSleep();
    await expect(withRetry(model, { retries: 3, sleep }).generate(REQUEST)).rejects.toBe(unauthorized);
    expect(model.callCount).toBe(1);
    expect(waits).toEqual([]);
  });

  it("rethrows the last error after retries + 1 calls", async () => {
    const last = http500();
    const model = scriptedModel([http500(), http500(), last]);
    const { sleep } = recordingSleep();
    await expect(withRetry(model, { retries: 2, sleep, random: () => 0 }).generate(REQUEST)).rejects.toBe(last);
    expect(model.callCount).toBe(3);
  });

  it("returns the model itself when retries is 0", () => {
    const model = scriptedModel([OK]);
    expect(withRetry(model, { retries: 0 })).toBe(model);
  });

  it("passes the signal (not onRetry) to the inner model", async () => {
    const model = new MockChatModel(OK, { spec: "test:spy" });
    const controller = new AbortController();
    await withRetry(model, { retries: 1 }).generate(REQUEST, { signal: controller.signal, onRetry: () => {} });
    expect(model.calls.map((call) => call.options)).toEqual([{ signal: controller.signal }]);
  });

  it("stops waiting when the caller aborts", async () => {
    const model = scriptedModel([http500(), OK]);
    const controller = new AbortController();
    const retrying = withRetry(model, { retries: 2, baseDelayMs: 60_000, random: () => 1 }).generate(REQUEST, {
      signal: controller.signal,
      onRetry: () => controller.abort(),
    });
    await expect(retrying).rejects.toMatchObject({ code: "cancelled" });
    expect(model.callCount).toBe(1);
  });
});

describe("abortableSleep", () => {
  it("rejects at once with cancelled when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(abortableSleep(60_000, controller.signal)).rejects.toBeInstanceOf(MedsafetyError);
  });

  it("resolves after the wait", async () => {
    await expect(abortableSleep(1, undefined)).resolves.toBeUndefined();
  });
});
