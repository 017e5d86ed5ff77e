import { describe, expect, it } from "vitest";
import type { BenchmarkItem } from "../datasets/index.js";
import { buildJudgeRequest, DEFAULT_RUBRIC, loadRubric } from "../judges/index.js";
import { type ConversationJob, RunEvents } from "../runner/index.js";
import type { ConversationSpent } from "../store/index.js";
import { MockChatModel } from "../testing/index.js";
import { conversationCostEstimate, DEFAULT_OUTPUT_TOKENS, plannedCalls } from "./budget-estimate.js";
import { createRunBudget } from "./run-budget.js";

function item(id: string, turns: string[] = ["hello"]): BenchmarkItem {
  return { id, language: "en", guidelineId: "g", strategy: "s", seedRequest: "x", turns, metadata: {} };
}

function job(id: string, target = "t"): ConversationJob {
  return { item: item(id), itemVersion: "v", target: { id: target, model: new MockChatModel("ok") } };
}

function stored(itemId: string, fields: Partial<ConversationSpent>): ConversationSpent {
  return { targetId: "t", itemId, calls: 0, errors: 0, cached: 0, costUsd: 0, ended: false, ...fields };
}

function budgetOf(maxCostUsd: number, options: { spentUsd?: number; stored?: ConversationSpent[]; retry?: boolean }) {
  const events = new RunEvents();
  const budget = createRunBudget({
    maxCostUsd,
    spentUsd: options.spentUsd ?? 0,
    stored: options.stored ?? [],
    plannedCalls: () => 3,
    priorCostUsd: () => 1,
    retryErrors: options.retry === true,
    events,
  });
  const call = (itemId: string, costUsd: number | null, status: "success" | "skipped" = "success"): void =>
    events.emit("judgment-end", {
      targetId: "t",
      itemId,
      turnIndex: 0,
      judgeId: "j",
      status: status === "success" ? "scored" : "skipped",
      cached: false,
      usage: { inputTokens: 1, outputTokens: 1 },
      costUsd,
    });
  return { budget, call, events };
}

describe("run budget", () => {
  it("stops with reason budget once a conversation would pass it, and keeps saying stop", () => {
    const { budget } = budgetOf(2.5, { spentUsd: 0.25 });
    expect(budget.admit(job("a"))).toEqual({ kind: "start" });
    expect(budget.admit(job("b"))).toEqual({ kind: "start" });
    // 0.25 spent + 2 expected in flight + 1 > 2.5
    expect(budget.admit(job("c"))).toEqual({ kind: "stop", reason: "budget" });
    expect(budget.refusal()).toEqual({ fits: false, spentUsd: 0.25, inFlightUsd: 2, expectedUsd: 1 });
    expect(budget.admit(job("d"))).toEqual({ kind: "stop", reason: "budget" });
  });

  it("counts each call's cost from the runner's events, unpriced calls as unknown, skipped calls as nothing", () => {
    const { budget, call } = budgetOf(10, {});
    budget.admit(job("a"));
    call("a", 0.5);
    call("a", null);
    call("a", 7, "skipped");
    expect(budget.spentUsd()).toBe(0.5);
    expect(budget.unpricedCalls()).toBe(1);
  });

  it("expects the observed mean of whole conversations of the target once one finished", () => {
    const { budget, call } = budgetOf(1.15, {});
    budget.admit(job("a"));
    call("a", 0.1);
    budget.finished(job("a"));
    // Mean 0.1: 0.1 spent + 10 × 0.1 ≤ 1.15, the 11th passes it.
    for (let index = 0; index < 10; index += 1) expect(budget.admit(job(`b${index}`)).kind).toBe("start");
    expect(budget.admit(job("c")).kind).toBe("stop");
  });

  it("does not learn a mean from a conversation resumed from the store", () => {
    const { budget, call } = budgetOf(2.5, { stored: [stored("a", { calls: 1, costUsd: 0.01 })] });
    budget.admit(job("a"));
    call("a", 0.01);
    budget.finished(job("a"));
    // Still the prior (1 each): 0.02 spent + 1 + 1 ≤ 2.5, the third passes.
    expect(budget.admit(job("b")).kind).toBe("start");
    expect(budget.admit(job("c")).kind).toBe("start");
    expect(budget.admit(job("d")).kind).toBe("stop");
  });

  it("on resume: a done conversation expects nothing more and gives its cost to the mean; a partial one expects the rest", () => {
    const done = stored("done", { calls: 3, costUsd: 0.3 });
    const partial = stored("partial", { calls: 1, costUsd: 0.1 });
    const { budget } = budgetOf(1, { spentUsd: 0.4, stored: [done, partial] });
    expect(budget.admit(job("done")).kind).toBe("start");
    budget.finished(job("done"));
    // The mean is now 0.3: the partial one expects 2/3 × 0.3 = 0.2; 0.4 + 0.2 + 0.3 = 0.9 ≤ 1, then 1.2 > 1.
    expect(budget.admit(job("partial")).kind).toBe("start");
    expect(budget.admit(job("new")).kind).toBe("start");
    expect(budget.admit(job("new2")).kind).toBe("stop");
    expect(budget.refusal()?.inFlightUsd).toBeCloseTo(0.5, 10);
  });

  it("with --retry-errors a stored error is a call still to make", () => {
    const failed = stored("failed", { calls: 3, errors: 3, costUsd: 0 });
    const kept = budgetOf(0.5, { stored: [failed] });
    expect(kept.budget.admit(job("failed")).kind).toBe("start");
    const retried = budgetOf(0.5, { stored: [failed], retry: true });
    expect(retried.budget.admit(job("failed")).kind).toBe("stop");
  });

  it("an ended adaptive conversation expects nothing more", () => {
    const { budget } = budgetOf(0.1, { stored: [stored("a", { calls: 1, ended: true })] });
    expect(budget.admit(job("a")).kind).toBe("start");
  });

  it("charges an adaptive attacker's calls from conversation-end, into the spend and the target's mean", () => {
    const { budget, call, events } = budgetOf(1, {});
    const attacker = (itemId: string, costUsd: number | null): void =>
      events.emit("conversation-end", {
        targetId: "t",
        itemId,
        stopReason: "max-turns",
        attacker: { calls: 2, usage: { inputTokens: 10, outputTokens: 10 }, costUsd },
      });
    budget.admit(job("a"));
    call("a", 0.1);
    attacker("a", 0.15);
    expect(budget.spentUsd()).toBeCloseTo(0.25, 12);
    budget.finished(job("a"));
    // Mean 0.25 (calls + attacker): 0.25 spent + 3 × 0.25 = 1 fits, the 4th passes it.
    for (const id of ["b", "c", "d"]) expect(budget.admit(job(id)).kind).toBe("start");
    expect(budget.admit(job("e"))).toEqual({ kind: "stop", reason: "budget" });
    // A conversation without attacker calls (replay, or every step from the store) charges nothing more.
    events.emit("conversation-end", { targetId: "t", itemId: "b" });
    expect(budget.spentUsd()).toBeCloseTo(0.25, 12);
    // An unpriced attacker: its calls are unknown, never $0 spent.
    attacker("c", null);
    expect(budget.unpricedCalls()).toBe(2);
    expect(budget.spentUsd()).toBeCloseTo(0.25, 12);
    budget.dispose();
    attacker("d", 5);
    expect(budget.spentUsd()).toBeCloseTo(0.25, 12);
  });
});

describe("conversationCostEstimate", () => {
  const price = { input: 1, output: 2 };

  it("prices every target call at prompt bytes / 3 plus maxTokens, earlier replies counted as maxTokens", () => {
    const plan = { item: item("a", ["hello", "world!"]), turns: 2, judges: [] };
    const target = { price, maxTokens: 10, systemPrompt: "abc" };
    // turn 1: ceil((3 + 5) / 3) = 3 in, 10 out; turn 2: ceil((3 + 5 + 6) / 3) + 10 = 15 in, 10 out.
    expect(conversationCostEstimate({ ...plan, target })).toBeCloseTo((18 * 1 + 20 * 2) / 1e6, 15);
    // Without maxTokens: 4096 out per call.
    const open = conversationCostEstimate({ ...plan, target: { price, systemPrompt: "abc" } });
    expect(open).toBeCloseTo((3 + 5 + 4096 + 2 * 2 * DEFAULT_OUTPUT_TOKENS) / 1e6, 15);
  });

  it("prices each judge's call on each turn from the real judge request", () => {
    const { rubric } = loadRubric(DEFAULT_RUBRIC);
    const plan = { item: item("a", ["hello"]), turns: 1, target: { price: { input: 0, output: 0 }, maxTokens: 10 } };
    const judged = conversationCostEstimate({ ...plan, judges: [{ price, maxTokens: 20, rubric }] });
    const request = buildJudgeRequest(rubric, {
      language: "en",
      conversation: [
        { role: "user", content: "hello" },
        { role: "assistant", content: "" },
      ],
      turnIndex: 0,
    });
    const bytes =
      Buffer.byteLength(request.system ?? "") +
      Buffer.byteLength(request.messages[0]?.content ?? "") +
      Buffer.byteLength(JSON.stringify(request.responseSchema?.schema));
    expect(judged).toBeCloseTo((Math.ceil(bytes / 3) + 10 + 20 * 2) / 1e6, 15);
    expect(plannedCalls(3, 2)).toBe(9);
  });

  it("prices an adaptive attacker's calls and the user turns it writes", () => {
    const plan = { item: item("a"), turns: 2, target: { price, maxTokens: 10 }, judges: [] };
    const withAttacker = conversationCostEstimate({ ...plan, attacker: { price, maxTokens: 50 } });
    expect(withAttacker).toBeGreaterThan(conversationCostEstimate(plan) + (2 * 50 * 2) / 1e6);
  });
});
