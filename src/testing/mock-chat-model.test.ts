import { describe, expect, it } from "vitest";
import { MedsafetyError, ProviderError } from "../core/index.js";
import type { ChatRequest } from "../providers/index.js";
import { MockChatModel, mockErrors } from "./mock-chat-model.js";

const ask = (content: string): ChatRequest => ({ messages: [{ role: "user", content }] });

describe("MockChatModel", () => {
  it("answers every call with one reply, filling the defaults, and records the requests", async () => {
    const model = new MockChatModel("same", { usage: { inputTokens: 3, outputTokens: 2 }, latencyMs: 7 });
    const first = await model.generate(ask("a"));
    await model.generate(ask("b"));
    expect(first).toEqual({
      text: "same",
      usage: { inputTokens: 3, outputTokens: 2 },
      latencyMs: 7,
      finishReason: "stop",
      cached: false,
    });
    expect(model.requests).toEqual([ask("a"), ask("b")]);
    expect(model.callCount).toBe(2);
    expect(model.spec).toBe("mock:model");
  });

  it("plays an array in order and names the call past its end", async () => {
    const model = new MockChatModel(["one", { text: "two", finishReason: "length" }], { spec: "mock:scripted" });
    expect((await model.generate(ask("1"))).text).toBe("one");
    expect(await model.generate(ask("2"))).toMatchObject({ text: "two", finishReason: "length" });
    await expect(model.generate(ask("3"))).rejects.toThrow(/mock:scripted: call 3 has no reply \(the script holds 2\)/);
  });

  it("answers with a function of the request and its call", async () => {
    const model = new MockChatModel((request, call) => `${call.index}:${request.messages[0]?.content ?? ""}`);
    expect((await model.generate(ask("x"))).text).toBe("0:x");
    expect((await model.generate(ask("y"))).text).toBe("1:y");
  });

  it("throws errors from the script unchanged", async () => {
    const busy = mockErrors.rateLimited(2_000);
    const model = new MockChatModel([busy, "ok"]);
    await expect(model.generate(ask("a"))).rejects.toBe(busy);
    expect((await model.generate(ask("a"))).text).toBe("ok");
    expect(busy).toBeInstanceOf(ProviderError);
    expect(busy).toMatchObject({ code: "provider_http", statusCode: 429, retryAfterMs: 2_000, isRetryable: true });
  });

  it("raises the provider failures of the error vocabulary with their retry flags", () => {
    expect(mockErrors.http(500)).toMatchObject({ code: "provider_http", statusCode: 500, isRetryable: true });
    expect(mockErrors.http(400)).toMatchObject({ code: "provider_http", isRetryable: false });
    expect(mockErrors.auth()).toMatchObject({ code: "provider_auth", statusCode: 401, isRetryable: false });
    expect(mockErrors.timeout(300)).toMatchObject({ code: "provider_timeout", isRetryable: true });
    expect(mockErrors.timeout(300).message).toContain("timeoutMs");
    expect(mockErrors.network("http://x/v1").message).toContain("http://x/v1");
    expect(mockErrors.network()).toMatchObject({ code: "provider_network", isRetryable: true });
    expect(mockErrors.invalidResponse()).toMatchObject({ code: "provider_response_invalid", isRetryable: false });
    expect(mockErrors.cancelled()).toBeInstanceOf(MedsafetyError);
    expect(mockErrors.cancelled()).toMatchObject({ code: "cancelled" });
  });

  it("counts calls in flight", async () => {
    const releases: (() => void)[] = [];
    const model = new MockChatModel(() => new Promise<string>((resolve) => releases.push(() => resolve("done"))));
    const calls = [model.generate(ask("a")), model.generate(ask("b"))];
    await new Promise((resolve) => setImmediate(resolve));
    expect(model.inFlight).toBe(2);
    for (const release of releases) release();
    await Promise.all(calls);
    expect(model.inFlight).toBe(0);
    expect(model.maxInFlight).toBe(2);
  });

  it("fails with cancelled when the signal is aborted before or during a call", async () => {
    const model = new MockChatModel(() => new Promise<string>(() => {}));
    const before = new AbortController();
    before.abort();
    await expect(model.generate(ask("a"), { signal: before.signal })).rejects.toMatchObject({ code: "cancelled" });
    const during = new AbortController();
    const pending = model.generate(ask("b"), { signal: during.signal });
    during.abort();
    await expect(pending).rejects.toBeInstanceOf(MedsafetyError);
    expect(model.callCount).toBe(2);
    expect(model.inFlight).toBe(0);
  });

  it("lets a call in flight settle despite an abort when it is not abortable", async () => {
    let release: (() => void) | undefined;
    const model = new MockChatModel(() => new Promise<string>((resolve) => (release = () => resolve("late"))), {
      abortable: false,
    });
    const controller = new AbortController();
    const pending = model.generate(ask("a"), { signal: controller.signal });
    controller.abort();
    release?.();
    expect((await pending).text).toBe("late");
  });

  it("counts closes", async () => {
    const model = new MockChatModel("x");
    await model.close();
    await model.close();
    expect(model.closeCount).toBe(2);
  });
});
