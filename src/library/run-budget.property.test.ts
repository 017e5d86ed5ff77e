import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BenchmarkItem } from "../datasets/index.js";
import type { ConversationJob } from "../runner/index.js";
import { RunEvents } from "../runner/index.js";
import { MockChatModel } from "../testing/index.js";
import { createRunBudget } from "./run-budget.js";

/**
 * The run budget against a simulated runner: conversations start in order while workers are free and the admission
 * says `start`, their calls end one at a time in an order fast-check picks, each call's cost arrives as a runner event.
 * An oracle recomputes the rule of decision 0021 at every decision, and the money spent at the end is checked
 * against the documented bound.
 */

interface PlannedConversation {
  readonly target: number;
  readonly prior: number;
  readonly calls: readonly { readonly costUsd: number; readonly cached: boolean }[];
}

const conversationArb = fc.record({
  target: fc.integer({ min: 0, max: 2 }),
  prior: fc.double({ min: 0.001, max: 1, noNaN: true }),
  calls: fc.array(
    fc.record({ costUsd: fc.double({ min: 0, max: 0.5, noNaN: true }), cached: fc.boolean() }).map((call) => ({
      costUsd: call.cached ? 0 : call.costUsd,
      cached: call.cached,
    })),
    { minLength: 1, maxLength: 4 },
  ),
});

const scenarioArb = fc.record({
  conversations: fc.array(conversationArb, { minLength: 1, maxLength: 30 }),
  maxCostUsd: fc.double({ min: 0.01, max: 8, noNaN: true }),
  spentBefore: fc.double({ min: 0, max: 1, noNaN: true }),
  workers: fc.integer({ min: 1, max: 6 }),
  schedule: fc.array(fc.nat(), { minLength: 200, maxLength: 200 }),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer Value> ? Value : never;

interface Outcome {
  readonly totalUsd: number;
  readonly started: number;
  readonly stopped: boolean;
  /** The conversations in flight when the last one started (it included), for the overshoot bound. */
  readonly inFlightAtLastStart: readonly number[];
}

function job(index: number, target: number): ConversationJob {
  const item: BenchmarkItem = {
    id: `item-${index}`,
    language: "en",
    guidelineId: "g",
    strategy: "s",
    seedRequest: "x",
    turns: ["hello"],
    metadata: {},
  };
  return { item, itemVersion: "v", target: { id: `target-${target}`, model: new MockChatModel("ok") } };
}

function simulate(scenario: Scenario, check: (message: string, ok: boolean) => void): Outcome {
  const { conversations } = scenario;
  const events = new RunEvents();
  const jobs = conversations.map((conversation, index) => job(index, conversation.target));
  const budget = createRunBudget({
    maxCostUsd: scenario.maxCostUsd,
    spentUsd: scenario.spentBefore,
    stored: [],
    plannedCalls: () => 1,
    priorCostUsd: (candidate) => conversations[jobs.indexOf(candidate)]?.prior ?? Number.NaN,
    retryErrors: false,
    events,
  });
  // The oracle's view: what each in-flight conversation was charged, the means of whole conversations.
  const inFlight = new Map<number, { next: number; charged: number }>();
  const means = new Map<number, { n: number; total: number }>();
  let spent = scenario.spentBefore;
  let nextJob = 0;
  let stopped = false;
  let inFlightAtLastStart: number[] = [];
  let step = 0;
  const expectedOf = (index: number): number => {
    const conversation = conversations[index];
    if (conversation === undefined) throw new Error("no conversation");
    const mean = means.get(conversation.target);
    return mean === undefined ? conversation.prior : mean.total / mean.n;
  };
  const fill = (): void => {
    while (!stopped && inFlight.size < scenario.workers && nextJob < jobs.length) {
      const index = nextJob;
      const candidate = jobs[index];
      if (candidate === undefined) throw new Error("no job");
      nextJob += 1;
      let pending = 0;
      for (const [other, state] of inFlight) pending += Math.max(0, expectedOf(other) - state.charged);
      const fits = spent + pending + expectedOf(index) <= scenario.maxCostUsd + 1e-9;
      const decision = budget.admit(candidate);
      check(
        `conversation ${index}: admission ${decision.kind}, oracle fits ${fits}`,
        (decision.kind === "start") === fits,
      );
      if (decision.kind !== "start") {
        check("a refusal says budget", decision.kind === "stop" && decision.reason === "budget");
        stopped = true;
        return;
      }
      inFlight.set(index, { next: 0, charged: 0 });
      inFlightAtLastStart = [...inFlight.keys()];
    }
  };
  fill();
  while (inFlight.size > 0) {
    const running = [...inFlight.keys()];
    const index = running[(scenario.schedule[step % scenario.schedule.length] ?? 0) % running.length];
    step += 1;
    if (index === undefined) throw new Error("no running conversation");
    const state = inFlight.get(index);
    const conversation = conversations[index];
    const candidate = jobs[index];
    if (state === undefined || conversation === undefined || candidate === undefined) throw new Error("lost state");
    const call = conversation.calls[state.next];
    if (call === undefined) throw new Error("no call");
    events.emit("turn-end", {
      targetId: candidate.target.id,
      itemId: candidate.item.id,
      turnIndex: state.next,
      status: "success",
      cached: call.cached,
      usage: { inputTokens: 1, outputTokens: 1 },
      costUsd: call.costUsd,
    });
    spent += call.costUsd;
    state.charged += call.costUsd;
    state.next += 1;
    if (state.next === conversation.calls.length) {
      budget.finished(candidate);
      inFlight.delete(index);
      if (!conversation.calls.some((made) => made.cached)) {
        const mean = means.get(conversation.target) ?? { n: 0, total: 0 };
        means.set(conversation.target, { n: mean.n + 1, total: mean.total + state.charged });
      }
      fill();
    }
  }
  check("the budget saw every call", Math.abs(budget.spentUsd() - spent) < 1e-9);
  return { totalUsd: spent, started: nextJob - (stopped ? 1 : 0), stopped, inFlightAtLastStart };
}

const actualOf = (conversation: PlannedConversation): number =>
  conversation.calls.reduce((sum, call) => sum + call.costUsd, 0);

describe("run budget (property)", () => {
  it("starts a conversation exactly when spent + in flight + its expected cost fits, and spends at most the budget plus the documented overshoot", () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const failures: string[] = [];
        const outcome = simulate(scenario, (message, ok) => {
          if (!ok) failures.push(message);
        });
        expect(failures).toEqual([]);
        // The bound of decision 0021: over the conversations in flight at the last start, what each cost above the
        // least it can have been expected to cost (its prior, or the cheapest whole conversation of its target).
        const { conversations } = scenario;
        const cheapest = (target: number): number =>
          Math.min(...conversations.filter((c) => c.target === target).map(actualOf));
        const overshoot = outcome.inFlightAtLastStart.reduce((sum, index) => {
          const conversation = conversations[index];
          if (conversation === undefined) return sum;
          const leastExpected = Math.min(conversation.prior, cheapest(conversation.target));
          return sum + Math.max(0, actualOf(conversation) - leastExpected);
        }, 0);
        if (outcome.started > 0) expect(outcome.totalUsd).toBeLessThanOrEqual(scenario.maxCostUsd + overshoot + 1e-9);
        else expect(outcome.totalUsd).toBe(scenario.spentBefore);
      }),
      { seed: 2106, numRuns: 400 },
    );
  });

  it("never passes the budget when no conversation costs more than it is expected to", () => {
    // Every conversation of a target costs the same and no more than its prior: expectations are upper bounds.
    const exactScenario = scenarioArb.map((scenario) => {
      const byTarget = new Map<number, PlannedConversation>();
      const conversations = scenario.conversations.map((conversation) => {
        const first = byTarget.get(conversation.target) ?? conversation;
        byTarget.set(conversation.target, first);
        const calls = first.calls.map((call) => ({ costUsd: call.costUsd, cached: false }));
        return { target: conversation.target, prior: Math.max(conversation.prior, actualOf(first)), calls };
      });
      return { ...scenario, conversations };
    });
    fc.assert(
      fc.property(exactScenario, (scenario) => {
        const outcome = simulate(scenario, (message, ok) => expect(ok, message).toBe(true));
        expect(outcome.totalUsd).toBeLessThanOrEqual(Math.max(scenario.maxCostUsd, scenario.spentBefore) + 1e-9);
      }),
      { seed: 2107, numRuns: 300 },
    );
  });

  it("runs every conversation when the budget covers each one's largest possible expectation", () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const { conversations } = scenario;
        const largest = (target: number): number =>
          Math.max(...conversations.filter((c) => c.target === target).map(actualOf));
        const need = conversations.reduce((sum, c) => sum + Math.max(c.prior, largest(c.target)), 0);
        const roomy = { ...scenario, maxCostUsd: scenario.spentBefore + need };
        const outcome = simulate(roomy, (message, ok) => expect(ok, message).toBe(true));
        expect(outcome.stopped).toBe(false);
        expect(outcome.started).toBe(conversations.length);
      }),
      { seed: 2108, numRuns: 300 },
    );
  });
});
