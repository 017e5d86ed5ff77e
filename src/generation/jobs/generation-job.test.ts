import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ProviderError } from "../../core/index.js";
import type { ChatModel, ChatRequest } from "../../providers/index.js";
import { GenerationRepository, openStore } from "../../store/index.js";
import { MockChatModel } from "../../testing/index.js";
import { GenerationEvents } from "./generation-events.js";
import { GenerationJob, type GenerationTask, generationTaskKey } from "./generation-job.js";
import type { GenerationModel } from "./generation-model.js";
import { structuredOutput } from "./structured-output.js";

/** A fake model answering from a script of texts (or errors) after `delayMs`; the mock counts calls and the most in flight. */
function scriptedModel(answer: (request: ChatRequest, call: number) => string | Error, delayMs = 0): MockChatModel {
  return new MockChatModel(
    async (request, { index }) => {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return answer(request, index);
    },
    { spec: "fake:model", usage: { inputTokens: 10, outputTokens: 4 }, latencyMs: delayMs },
  );
}

const output = structuredOutput("turns", z.strictObject({ turns: z.array(z.string().trim().min(1)).length(2) }));

function task(model: GenerationModel, subject: string): GenerationTask<{ turns: string[] }> {
  return {
    key: generationTaskKey("conversation", { subject }, "prompt-hash", model),
    kind: "conversation",
    subject,
    model,
    promptHash: "prompt-hash",
    input: { subject },
    request: { messages: [{ role: "user", content: `write for ${subject}` }], responseSchema: output.responseSchema },
    parse: output.parse,
    repair: (problem) => `invalid: ${problem}`,
  };
}

function setup(model: ChatModel, concurrency = 4) {
  const { db } = openStore(":memory:");
  const store = new GenerationRepository(db);
  store.createRun({ id: "run-1", command: "test", params: {}, packageVersion: "0" });
  const events = new GenerationEvents();
  const ended: string[] = [];
  events.on("task-end", (event) => ended.push(`${event.status}${event.reused ? "(reused)" : ""}`));
  const job = new GenerationJob({ runId: "run-1", store, events, concurrency, maxAttempts: 3 });
  const bound: GenerationModel = { id: "atk-a", spec: model.spec, model, sampling: {} };
  return { db, store, job, bound, ended, events };
}

describe("GenerationJob", () => {
  it("stores each task's price over its attempts with its prompt-cache tokens, and sums the job's cost", async () => {
    const usage = { inputTokens: 10, outputTokens: 4, cachedInputTokens: 6 };
    const good = JSON.stringify({ turns: ["one", "two"] });
    // s1: an invalid answer then a valid one ($0.25 + $0.5); s2: an unpriced answer.
    const model = new MockChatModel(
      [
        { text: "{}", usage, costUsd: 0.25 },
        { text: good, usage, costUsd: 0.5, batched: true },
        { text: good, usage, costUsd: null },
      ],
      { spec: "fake:model" },
    );
    const { store, job, bound, events } = setup(model, 1);
    const costs: (number | null)[] = [];
    events.on("task-end", (event) => costs.push(event.costUsd));
    await job.run(task(bound, "s1"));
    await job.run(task(bound, "s2"));
    expect(store.lookup(task(bound, "s1").key)).toMatchObject({
      attempts: 2,
      inputTokens: 20,
      cachedInputTokens: 12,
      batched: true,
      costUsd: 0.75,
    });
    expect(store.lookup(task(bound, "s2").key)).toMatchObject({ costUsd: null, batched: false });
    expect(costs).toEqual([0.75, null]);
    expect(job.summary()).toMatchObject({ costUsd: 0.75, pricedTasks: 1, unpricedTasks: 1 });
    // A reused task costs nothing and is not counted as priced or unpriced.
    const again = new GenerationJob({ runId: "run-1", store, events, concurrency: 1 });
    await again.run(task(bound, "s1"));
    expect(costs.at(-1)).toBe(0);
    expect(again.summary()).toMatchObject({ costUsd: 0, pricedTasks: 0, unpricedTasks: 0 });
    expect(store.costs("run-1")).toMatchObject({ costUsd: 0.75, pricedTasks: 1, unpricedTasks: 1 });
  });

  it("stores a validated success and reuses it without a call on the next run", async () => {
    const model = scriptedModel(() => JSON.stringify({ turns: ["one", "two"] }));
    const { store, job, bound, ended, events } = setup(model);
    const first = await job.run(task(bound, "s1"));
    expect(first).toMatchObject({ status: "success", value: { turns: ["one", "two"] }, reused: false });
    const again = new GenerationJob({ runId: "run-1", store, events, concurrency: 1 });
    expect(await again.run(task(bound, "s1"))).toMatchObject({ status: "success", reused: true });
    expect(model.callCount).toBe(1);
    expect(ended).toEqual(["success", "success(reused)"]);
    expect(store.lookup(task(bound, "s1").key)).toMatchObject({
      status: "success",
      attempts: 1,
      inputTokens: 10,
      outputTokens: 4,
    });
  });

  it("asks again after an invalid answer with the problem, then records failed with the raw text after maxAttempts", async () => {
    const model = scriptedModel(() => '{"turns": ["only one"]}');
    const { store, job, bound } = setup(model);
    const outcome = await job.run(task(bound, "s1"));
    expect(outcome.status).toBe("failed");
    expect(model.callCount).toBe(3);
    expect(model.requests[1]?.messages.at(-1)?.content).toContain("turns: Too small");
    const row = store.lookup(task(bound, "s1").key);
    expect(row).toMatchObject({
      status: "failed",
      rawOutput: '{"turns": ["only one"]}',
      errorCode: "invalid_output",
      attempts: 3,
      inputTokens: 30,
    });
    expect(row?.errorMessage).toMatch(/invalid output after 3 attempt\(s\): turns/);
    expect(job.summary().byKind["conversation"]).toEqual({ generated: 0, reused: 0, failed: 1, errors: 0 });
  });

  it("recovers when a later attempt is valid", async () => {
    const model = scriptedModel((_request, call) =>
      call === 0 ? "Sure! Here you go." : 'Here: {"turns": ["a", "b"]}',
    );
    const { job, bound } = setup(model);
    expect(await job.run(task(bound, "s1"))).toMatchObject({ status: "success", value: { turns: ["a", "b"] } });
  });

  it("records a provider failure as error, and calls failed and errored keys again on the next run", async () => {
    let fail = true;
    const model = scriptedModel(() =>
      fail ? new ProviderError("provider_http", "server down", { statusCode: 503 }) : '{"turns":["a","b"]}',
    );
    const { store, job, bound, events } = setup(model);
    expect(await job.run(task(bound, "s1"))).toMatchObject({
      status: "error",
      errorCode: "provider_http",
      httpStatus: 503,
    });
    expect(store.lookup(task(bound, "s1").key)?.errorMessage).toContain("HTTP 503");
    fail = false;
    const resumed = new GenerationJob({ runId: "run-1", store, events, concurrency: 1 });
    expect(await resumed.run(task(bound, "s1"))).toMatchObject({ status: "success", reused: false });
    expect(store.lookup(task(bound, "s1").key)?.status).toBe("success");
  });

  it("bounds the calls in flight", async () => {
    const model = scriptedModel(() => '{"turns":["a","b"]}', 5);
    const { job, bound } = setup(model, 3);
    await Promise.all(Array.from({ length: 12 }, (_, index) => job.run(task(bound, `s${index}`))));
    expect(model.callCount).toBe(12);
    expect(model.maxInFlight).toBe(3);
  });

  it("keys depend on inputs, prompt and model identity only", () => {
    const model = scriptedModel(() => "");
    const a: GenerationModel = { id: "a", spec: "x:y", model, sampling: { temperature: 0 } };
    const key = generationTaskKey("k", { seed: 1 }, "p", a);
    expect(generationTaskKey("k", { seed: 1 }, "p", { ...a })).toBe(key);
    expect(generationTaskKey("k", { seed: 2 }, "p", a)).not.toBe(key);
    expect(generationTaskKey("k", { seed: 1 }, "q", a)).not.toBe(key);
    expect(generationTaskKey("k", { seed: 1 }, "p", { ...a, sampling: { temperature: 1 } })).not.toBe(key);
  });
});
