import fc from "fast-check";
import { RateLimiterMemory } from "rate-limiter-flexible";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MedsafetyError } from "../core/index.js";
import { MockChatModel, mockErrors } from "../testing/index.js";
import type { ChatRequest } from "./chat-model.js";
import { modelSettingsSchema } from "./model-settings.js";
import {
  type BudgetSpec,
  bindingBudgetKey,
  budgetWindow,
  type CallBudget,
  type CallBudgetSource,
  DEFAULT_OUTPUT_RESERVATION,
  estimateRequestTokens,
  sharedLimitsOf,
  windowBudget,
  withSharedLimits,
} from "./shared-limit.js";

const REQUEST: ChatRequest = { messages: [{ role: "user", content: "hello" }], maxTokens: 100 };

function memoryLimiter(spec: BudgetSpec): RateLimiterMemory {
  return new RateLimiterMemory({ points: spec.points, duration: spec.windowMs / 1000, keyPrefix: "test" });
}

/** A budget over RateLimiterMemory, and the points its window holds now. */
function memoryBudget(spec: BudgetSpec): { budget: CallBudget; consumed: () => Promise<number> } {
  const limiter = memoryLimiter(spec);
  return {
    budget: windowBudget(limiter, spec),
    consumed: async () => (await limiter.get(spec.key))?.consumedPoints ?? 0,
  };
}

describe("budgetWindow", () => {
  it("splits a per-minute rate into windows of about a second", () => {
    expect(budgetWindow(500)).toEqual({ points: 8, windowMs: 960 });
    expect(budgetWindow(600)).toEqual({ points: 10, windowMs: 1000 });
    expect(budgetWindow(30)).toEqual({ points: 1, windowMs: 2000 });
    expect(budgetWindow(0.5)).toEqual({ points: 1, windowMs: 120_000 });
  });

  it("never allows more than the rate, and windows are whole thousandths of a second", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 1_000_000, noNaN: true }), (perMinute) => {
        const { points, windowMs } = budgetWindow(perMinute);
        expect(points).toBeGreaterThanOrEqual(1);
        expect((points * 60_000) / windowMs).toBeLessThanOrEqual(perMinute * (1 + 1e-12));
        // Ceiling to whole milliseconds whose seconds (windowMs / 1000) round-trip exactly in binary floating point
        // loses little: a few milliseconds per window (3.81 ms at most over 2 million random rates; 0.0576 needs 3).
        expect(windowMs - (points * 60_000) / perMinute).toBeLessThan(5);
        expect((windowMs / 1000) * 1000).toBe(windowMs);
      }),
      { seed: 20261202, examples: [[0.05763821644303039], [0.4664679897942625]] },
    );
  });
});

describe("bindingBudgetKey", () => {
  const base = { model: "openai:gpt-4o-mini", apiKeyEnv: "OPENAI_API_KEY" };

  it("is the same for the same model, server and key variable, whatever the binding's id", () => {
    const a = modelSettingsSchema.parse({ id: "target", ...base });
    const b = modelSettingsSchema.parse({ id: "judge", ...base, temperature: 0 });
    expect(bindingBudgetKey(a)).toBe(bindingBudgetKey(b));
  });

  it("differs by server, model and key variable, and holds no secret", () => {
    const key = bindingBudgetKey(base);
    expect(bindingBudgetKey({ ...base, baseURL: "http://gpu-3:8000/v1" })).not.toBe(key);
    expect(bindingBudgetKey({ ...base, model: "openai:gpt-4o" })).not.toBe(key);
    expect(bindingBudgetKey({ ...base, apiKeyEnv: "OTHER_KEY" })).not.toBe(key);
    expect(key).toMatch(/^[0-9a-f]{24}$/);
  });
});

describe("estimateRequestTokens", () => {
  it("counts the prompt at three UTF-8 bytes a token plus maxTokens", () => {
    expect(
      estimateRequestTokens({ system: "abc", messages: [{ role: "user", content: "abcdef" }], maxTokens: 10 }),
    ).toBe(13);
    // Japanese: three bytes a character, so about a token per character.
    expect(estimateRequestTokens({ messages: [{ role: "user", content: "薬の量" }], maxTokens: 1 })).toBe(4);
    expect(estimateRequestTokens({ messages: [] })).toBe(DEFAULT_OUTPUT_RESERVATION);
  });
});

describe("windowBudget over RateLimiterMemory (fake time)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("hands out a window's points at once and makes the next take wait for the next window", async () => {
    const { budget } = memoryBudget({ key: "k", points: 2, windowMs: 1000 });
    await budget.take(1);
    await budget.take(1);
    let third = false;
    const waiting = budget.take(1).then(() => {
      third = true;
    });
    await vi.advanceTimersByTimeAsync(990);
    expect(third).toBe(false);
    await vi.advanceTimersByTimeAsync(20);
    await waiting;
    expect(third).toBe(true);
  });

  it("spreads an even budget's points over its window, whoever takes them", async () => {
    const spec = { key: "k", points: 4, windowMs: 1000, even: true };
    const limiter = memoryLimiter(spec);
    // Two budgets over one limiter: two processes sharing a store.
    const budgets = [windowBudget(limiter, spec), windowBudget(limiter, spec)];
    const start = Date.now();
    const handedOut: number[] = [];
    const takes = Array.from({ length: 8 }, (_, index) =>
      budgets[index % 2]?.take(1).then(() => handedOut.push(Date.now() - start)),
    );
    await vi.advanceTimersByTimeAsync(3000);
    await Promise.all(takes);
    expect(handedOut).toEqual([0, 250, 500, 750, 1001, 1251, 1501, 1751]);
  });

  it("cuts a take above the capacity to the capacity", async () => {
    const { budget, consumed } = memoryBudget({ key: "k", points: 50, windowMs: 60_000 });
    const ticket = await budget.take(500);
    expect(ticket.points).toBe(50);
    expect(await consumed()).toBe(50);
  });

  it("gives back the unused part while the window lasts, charges an overrun, settles once", async () => {
    const { budget, consumed } = memoryBudget({ key: "k", points: 1000, windowMs: 60_000 });
    const ticket = await budget.take(300);
    await ticket.settle(120);
    expect(await consumed()).toBe(120);
    await ticket.settle(0);
    expect(await consumed()).toBe(120);
    const over = await budget.take(10);
    await over.settle(40);
    expect(await consumed()).toBe(160);
  });

  it("drops a give-back that could land in the next window", async () => {
    const { budget, consumed } = memoryBudget({ key: "k", points: 1000, windowMs: 60_000 });
    const ticket = await budget.take(300);
    await vi.advanceTimersByTimeAsync(59_500);
    await ticket.settle(0);
    expect(await consumed()).toBe(300);
    await vi.advanceTimersByTimeAsync(1000);
    // The next window starts from nothing, not from a credit.
    const next = await budget.take(1000);
    expect(next.points).toBe(1000);
    expect(await consumed()).toBe(1000);
  });

  it("stops waiting when the call is cancelled", async () => {
    const { budget } = memoryBudget({ key: "k", points: 1, windowMs: 60_000 });
    await budget.take(1);
    const controller = new AbortController();
    const waiting = budget.take(1, controller.signal);
    const settled = expect(waiting).rejects.toMatchObject({ code: "cancelled" });
    await vi.advanceTimersByTimeAsync(1000);
    controller.abort();
    await settled;
  });

  it("turns a limiter failure into a retryable store_error naming the budget", async () => {
    const failing = {
      consume: () => Promise.reject(new Error("connection refused")),
      reward: () => Promise.resolve(),
      penalty: () => Promise.resolve(),
    };
    const error = await windowBudget(failing, { key: "requests:abc", points: 1, windowMs: 1000 })
      .take(1)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MedsafetyError);
    expect(error).toMatchObject({ code: "store_error", isRetryable: true });
    expect((error as Error).message).toContain("requests:abc");
  });
});

describe("withSharedLimits", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 5_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("returns the model unchanged without budgets", () => {
    const model = new MockChatModel("ok");
    expect(withSharedLimits(model, {})).toBe(model);
  });

  it("holds the calls of two models drawing from one budget to its window", async () => {
    const requests = memoryBudget({ key: "requests:shared", points: 2, windowMs: 1000 }).budget;
    const starts: number[] = [];
    const adapter = () =>
      new MockChatModel(() => {
        starts.push(Date.now());
        return "ok";
      });
    const first = withSharedLimits(adapter(), { requests });
    const second = withSharedLimits(adapter(), { requests });
    const calls = [first, second, first, second, first, second].map((model) => model.generate(REQUEST));
    await vi.advanceTimersByTimeAsync(5000);
    await Promise.all(calls);
    const perWindow = new Map<number, number>();
    for (const start of starts) perWindow.set(start - (start % 1000), (perWindow.get(start - (start % 1000)) ?? 0) + 1);
    expect([...perWindow.values()]).toEqual([2, 2, 2]);
  });

  it("settles the tokens to the answer's usage", async () => {
    const { budget: tokens, consumed } = memoryBudget({ key: "tokens:k", points: 10_000, windowMs: 60_000 });
    const model = withSharedLimits(new MockChatModel("ok", { usage: { inputTokens: 30, outputTokens: 12 } }), {
      tokens,
    });
    await model.generate(REQUEST);
    expect(await consumed()).toBe(42);
  });

  it("gives back the tokens of a call the provider refused with 429, keeps those of other failures", async () => {
    const { budget: tokens, consumed } = memoryBudget({ key: "tokens:k", points: 10_000, windowMs: 60_000 });
    const reserved = estimateRequestTokens(REQUEST);
    const refused = withSharedLimits(new MockChatModel(mockErrors.http(429, 1000)), { tokens });
    await expect(refused.generate(REQUEST)).rejects.toMatchObject({ statusCode: 429 });
    expect(await consumed()).toBe(0);
    const failed = withSharedLimits(new MockChatModel(mockErrors.http(500)), { tokens });
    await expect(failed.generate(REQUEST)).rejects.toMatchObject({ statusCode: 500 });
    expect(await consumed()).toBe(reserved);
  });

  it("gives the tokens back when the call is cancelled while waiting for a request", async () => {
    const { budget: tokens, consumed } = memoryBudget({ key: "tokens:k", points: 10_000, windowMs: 60_000 });
    const requests = memoryBudget({ key: "requests:k", points: 1, windowMs: 60_000 }).budget;
    const model = withSharedLimits(new MockChatModel("ok", { usage: { inputTokens: 1, outputTokens: 1 } }), {
      tokens,
      requests,
    });
    await model.generate(REQUEST);
    const controller = new AbortController();
    const waiting = model.generate(REQUEST, { signal: controller.signal });
    const settled = expect(waiting).rejects.toMatchObject({ code: "cancelled" });
    await vi.advanceTimersByTimeAsync(100);
    expect(await consumed()).toBe(2 + estimateRequestTokens(REQUEST));
    controller.abort();
    await settled;
    expect(await consumed()).toBe(2);
  });
});

describe("sharedLimitsOf", () => {
  it("asks the source for a request budget and a token budget keyed by the binding", () => {
    const specs: BudgetSpec[] = [];
    const source: CallBudgetSource = {
      backend: "memory",
      budget: (spec) => {
        specs.push(spec);
        return memoryBudget(spec).budget;
      },
      close: async () => undefined,
    };
    const settings = modelSettingsSchema.parse({
      id: "t",
      model: "openai:gpt-4o-mini",
      requestsPerMinute: 500,
      tokensPerMinute: 200_000,
    });
    const limits = sharedLimitsOf(settings, source);
    const key = bindingBudgetKey(settings);
    expect(specs).toEqual([
      { key: `requests:${key}`, points: 8, windowMs: 960, even: true },
      { key: `tokens:${key}`, points: 200_000, windowMs: 60_000 },
    ]);
    expect(limits.requests?.capacity).toBe(8);
    expect(sharedLimitsOf(modelSettingsSchema.parse({ id: "u", model: "openai:x" }), source)).toEqual({});
  });
});
