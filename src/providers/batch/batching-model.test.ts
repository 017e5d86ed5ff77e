import { afterEach, describe, expect, it } from "vitest";
import { ProviderError } from "../../core/index.js";
import { type FixtureHandler, type FixtureServer, startFixtureServer } from "../../testing/index.js";
import type { ChatModel, ChatRequest } from "../chat-model.js";
import { modelSettingsSchema } from "../model-settings.js";
import type { BatchStore, NewBatch, StoredBatchRequest } from "./batch-store.js";
import { createBatchingModel } from "./batching-model.js";
import { createBatchModel } from "./index.js";
import { openaiBatchClient } from "./openai-batch.js";

/** The store port in memory, as the run's store keeps it (store/batch-repository.ts is tested on both databases). */
class MemoryBatchStore implements BatchStore {
  readonly batches: (NewBatch & { status: "pending" | "ended"; providerStatusAtEnd?: string })[] = [];
  readonly requests = new Map<string, "pending" | "succeeded" | "failed">();

  findRequest(modelId: string, customId: string): StoredBatchRequest | undefined {
    for (const batch of [...this.batches].reverse()) {
      if (batch.modelId !== modelId || !batch.customIds.includes(customId)) continue;
      return {
        batchId: batch.id,
        providerBatchId: batch.providerBatchId,
        batchStatus: batch.status,
        requestStatus: this.requests.get(`${batch.id}/${customId}`) ?? "pending",
      };
    }
    return undefined;
  }

  saveBatch(batch: NewBatch): void {
    this.batches.push({ ...batch, status: "pending" });
    for (const customId of batch.customIds) this.requests.set(`${batch.id}/${customId}`, "pending");
  }

  endBatch(batchId: string, end: { providerStatus: string; succeeded: readonly string[]; failed: readonly string[] }) {
    const batch = this.batches.find((candidate) => candidate.id === batchId);
    if (batch === undefined) throw new Error(`no batch ${batchId}`);
    batch.status = "ended";
    batch.providerStatusAtEnd = end.providerStatus;
    for (const id of end.succeeded) this.requests.set(`${batchId}/${id}`, "succeeded");
    for (const id of end.failed) this.requests.set(`${batchId}/${id}`, "failed");
  }
}

const ENV = { OPENAI_API_KEY: "sk-test-openai-key-123456", ANTHROPIC_API_KEY: "sk-ant-test-key-123456" };
const servers: FixtureServer[] = [];
const models: ChatModel[] = [];

afterEach(async () => {
  await Promise.all(models.splice(0).map((model) => model.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function server(
  handler: FixtureHandler,
  batch: Parameters<typeof startFixtureServer>[0]["batch"] = {},
): Promise<FixtureServer> {
  const started = await startFixtureServer({ handler, batch });
  servers.push(started);
  return started;
}

function batchModel(
  spec: string,
  fixture: FixtureServer,
  store: BatchStore,
  extra: Record<string, unknown> = {},
): ChatModel {
  const settings = modelSettingsSchema.parse({
    id: "judge",
    model: spec,
    baseURL: spec.startsWith("openai") ? fixture.openaiBaseURL : fixture.anthropicBaseURL,
    batch: true,
    batchPollSeconds: 0.01,
    retries: 0,
    ...extra,
  });
  const model = createBatchModel(settings, ENV, store);
  models.push(model);
  return model;
}

const ask = (text: string): ChatRequest => ({ messages: [{ role: "user", content: text }], maxTokens: 50 });
const VERDICT = {
  name: "verdict",
  schema: {
    type: "object",
    properties: { score: { type: "integer" } },
    required: ["score"],
    additionalProperties: false,
  },
};

const echo: FixtureHandler = (request) =>
  request.jsonSchema !== undefined
    ? { kind: "json", value: { score: 7 }, inputTokens: 100, outputTokens: 5, cachedInputTokens: 60 }
    : { kind: "text", text: `echo: ${request.messages.at(-1)?.content ?? ""}`, inputTokens: 10, outputTokens: 4 };

describe("batching model: OpenAI Batch API through the fixture server", () => {
  it("sends concurrent requests as one batch (JSONL upload, one model) and answers each with its usage", async () => {
    const fixture = await server(echo);
    const store = new MemoryBatchStore();
    const model = batchModel("openai:gpt-4o-mini", fixture, store, { temperature: 0, seed: 3 });
    const [first, second, judged] = await Promise.all([
      model.generate(ask("one")),
      model.generate(ask("two")),
      model.generate({ ...ask("judge this"), system: "rubric", responseSchema: VERDICT, temperature: 0, seed: 3 }),
    ]);
    expect(fixture.batches.created()).toBe(1);
    expect(first).toMatchObject({ text: "echo: one", batched: true, cached: false, finishReason: "stop" });
    expect(first.usage).toEqual({ inputTokens: 10, outputTokens: 4 });
    expect(second?.text).toBe("echo: two");
    expect(JSON.parse(judged?.text ?? "")).toEqual({ score: 7 });
    expect(judged?.usage).toEqual({ inputTokens: 100, outputTokens: 5, cachedInputTokens: 60 });
    // The body each request carried is the chat-completions body the AI SDK sends.
    const judgeBody = fixture.requests.find((request) => request.jsonSchema !== undefined)?.body;
    expect(judgeBody).toMatchObject({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "rubric" },
        { role: "user", content: "judge this" },
      ],
      max_tokens: 50,
      temperature: 0,
      seed: 3,
      response_format: { type: "json_schema", json_schema: { name: "verdict", strict: true } },
    });
    expect(fixture.batches.list()[0]?.headers["authorization"]).toBe(`Bearer ${ENV.OPENAI_API_KEY}`);
    expect(store.batches).toHaveLength(1);
    expect(store.batches[0]).toMatchObject({ provider: "openai", modelId: "judge", status: "ended" });
    expect(store.batches[0]?.inputFileId).toMatch(/^file-/);
  });

  it("polls a batch until it ends", async () => {
    const fixture = await server(echo, { pendingPolls: 3 });
    const model = batchModel("openai:gpt-4o-mini", fixture, new MemoryBatchStore());
    await expect(model.generate(ask("slow"))).resolves.toMatchObject({ text: "echo: slow" });
    expect(fixture.batches.list()[0]?.polls).toBe(4);
  });

  it("rejects only the failed requests of a batch (partial failure), as non-retryable provider errors", async () => {
    const fixture = await server((request, index) =>
      request.messages[0]?.content === "bad" ? { kind: "error", status: 400 } : echo(request, index),
    );
    const store = new MemoryBatchStore();
    const model = batchModel("openai:gpt-4o-mini", fixture, store);
    const [good, bad] = await Promise.allSettled([model.generate(ask("good")), model.generate(ask("bad"))]);
    expect(good).toMatchObject({ status: "fulfilled", value: { text: "echo: good" } });
    expect(bad.status).toBe("rejected");
    const error = (bad as PromiseRejectedResult).reason as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.isRetryable).toBe(false);
    expect(error.statusCode).toBe(400);
    expect(error.message).toContain("--retry-errors");
    expect(error.message).not.toContain(ENV.OPENAI_API_KEY);
    expect([...store.requests.values()].sort()).toEqual(["failed", "succeeded"]);
  });

  it("records expired requests as failures, and sends a failed request again in a new batch when asked again", async () => {
    let expire = true;
    const fixture = await server(echo, {
      expire: (request) => expire && request.messages[0]?.content === "late",
    });
    const store = new MemoryBatchStore();
    const model = batchModel("openai:gpt-4o-mini", fixture, store);
    const [onTime, late] = await Promise.allSettled([model.generate(ask("on time")), model.generate(ask("late"))]);
    expect(onTime.status).toBe("fulfilled");
    expect(String((late as PromiseRejectedResult).reason)).toMatch(/batch_expired.*24 h window/);
    expect(store.batches[0]?.providerStatusAtEnd).toBe("expired");
    expire = false;
    await expect(model.generate(ask("late"))).resolves.toMatchObject({ text: "echo: late" });
    expect(fixture.batches.created()).toBe(2);
    expect(fixture.batches.list()[1]?.customIds).toHaveLength(1);
    // A request that succeeded is answered from its stored batch, not sent again.
    await expect(model.generate(ask("on time"))).resolves.toMatchObject({ text: "echo: on time" });
    expect(fixture.batches.created()).toBe(2);
  });

  it("fails every request of a batch that failed whole, naming why; they are sent again when asked again", async () => {
    let failure: string | undefined = "The input file has an invalid line.";
    const fixture = await server(echo, { failValidation: () => failure });
    const store = new MemoryBatchStore();
    const model = batchModel("openai:gpt-4o-mini", fixture, store);
    await expect(model.generate(ask("doomed"))).rejects.toThrow(/failed: The input file has an invalid line/);
    expect([...store.requests.values()]).toEqual(["failed"]);
    failure = undefined;
    await expect(model.generate(ask("doomed"))).resolves.toMatchObject({ text: "echo: doomed" });
    expect(fixture.batches.created()).toBe(2);
  });

  it("splits a round at the provider's request limit, and sends each later round as its own batch", async () => {
    const fixture = await server(echo);
    const store = new MemoryBatchStore();
    const client = openaiBatchClient("gpt-4o-mini", {
      label: "judge",
      baseURL: fixture.openaiBaseURL,
      headers: {},
      secrets: [],
      timeoutMs: 10_000,
      retries: 0,
    });
    const model = createBatchingModel({
      modelId: "judge",
      spec: "openai:gpt-4o-mini",
      label: "judge",
      client: { ...client, limits: { maxRequests: 2, maxBytes: 1_000_000 } },
      store,
      pollMs: 10,
      idleMs: 20,
    });
    models.push(model);
    await Promise.all(["a", "b", "c", "d", "e"].map((text) => model.generate(ask(text))));
    expect(fixture.batches.list().map((batch) => batch.customIds.length)).toEqual([2, 2, 1]);
    await Promise.all(["f", "g"].map((text) => model.generate(ask(text))));
    expect(fixture.batches.list().map((batch) => batch.customIds.length)).toEqual([2, 2, 1, 2]);
  });
});

describe("batching model: Anthropic Message Batches through the fixture server", () => {
  it("sends one batch with the Messages bodies and headers, and reads text, JSON and cache usage", async () => {
    const fixture = await server((request) =>
      request.jsonSchema !== undefined
        ? { kind: "json", value: { score: 3 }, inputTokens: 200, outputTokens: 6, cachedInputTokens: 150 }
        : { kind: "text", text: "refused", inputTokens: 30, outputTokens: 2, cacheWriteTokens: 20 },
    );
    const store = new MemoryBatchStore();
    const model = batchModel("anthropic:claude-3-5-haiku-latest", fixture, store);
    const [reply, verdict] = await Promise.all([
      model.generate({ ...ask("hello"), system: "policy", cacheSystemPrompt: true }),
      model.generate({ ...ask("score it"), responseSchema: VERDICT }),
    ]);
    expect(fixture.batches.created()).toBe(1);
    expect(reply).toMatchObject({ text: "refused", batched: true, finishReason: "stop" });
    expect(reply.usage).toEqual({ inputTokens: 30, outputTokens: 2, cacheWriteTokens: 20 });
    expect(JSON.parse(verdict.text)).toEqual({ score: 3 });
    expect(verdict.usage).toEqual({ inputTokens: 200, outputTokens: 6, cachedInputTokens: 150 });
    const sent = fixture.batches.list()[0];
    expect(sent?.headers).toMatchObject({ "x-api-key": ENV.ANTHROPIC_API_KEY, "anthropic-version": "2023-06-01" });
    expect(sent?.customIds.every((id) => /^[a-zA-Z0-9_-]{1,64}$/.test(id))).toBe(true);
    expect(fixture.requests.find((request) => request.system === "policy")?.body).toMatchObject({
      model: "claude-3-5-haiku-latest",
      max_tokens: 50,
      system: [{ type: "text", text: "policy", cache_control: { type: "ephemeral" } }],
      messages: [{ role: "user", content: [{ type: "text", text: "hello" }] }],
    });
    expect(store.batches[0]).toMatchObject({ provider: "anthropic", status: "ended", providerStatusAtEnd: "ended" });
  });

  it("rejects errored and expired requests, answers the others", async () => {
    const fixture = await server(
      (request) =>
        request.messages[0]?.content === "bad" ? { kind: "error", status: 400 } : { kind: "text", text: "ok" },
      { expire: (request) => request.messages[0]?.content === "late", pendingPolls: 1 },
    );
    const store = new MemoryBatchStore();
    const model = batchModel("anthropic:claude-3-5-haiku-latest", fixture, store);
    const settled = await Promise.allSettled(["fine", "bad", "late"].map((text) => model.generate(ask(text))));
    expect(settled.map((result) => result.status)).toEqual(["fulfilled", "rejected", "rejected"]);
    expect(String((settled[1] as PromiseRejectedResult).reason)).toMatch(/errored.*invalid_request_error/);
    expect(String((settled[2] as PromiseRejectedResult).reason)).toMatch(/expired.*24 h window/);
    expect([...store.requests.values()].sort()).toEqual(["failed", "failed", "succeeded"]);
  });
});

describe("batching model: resume", () => {
  it("a new model over the same store polls the pending batch instead of sending its requests again", async () => {
    const fixture = await server(echo);
    fixture.batches.hold(true);
    const store = new MemoryBatchStore();
    const first = batchModel("openai:gpt-4o-mini", fixture, store);
    const abandoned = Promise.allSettled([first.generate(ask("x")), first.generate(ask("y"))]);
    while (store.batches.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    // The process "dies": its model is closed with the batch still in progress at the provider.
    await first.close();
    expect((await abandoned).map((result) => result.status)).toEqual(["rejected", "rejected"]);
    const second = batchModel("openai:gpt-4o-mini", fixture, store);
    const answers = Promise.all([second.generate(ask("x")), second.generate(ask("y"))]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    fixture.batches.hold(false);
    expect((await answers).map((answer) => answer.text)).toEqual(["echo: x", "echo: y"]);
    expect(fixture.batches.created()).toBe(1);
  });

  it("a stored batch the provider no longer knows fails its requests, which are sent again when asked again", async () => {
    const fixture = await server(echo);
    const store = new MemoryBatchStore();
    const model = batchModel("openai:gpt-4o-mini", fixture, store);
    // Find the request's custom_id by sending it once, then point the store at a batch the provider never had.
    await model.generate(ask("lost"));
    const customId = fixture.batches.list()[0]?.customIds[0] ?? "";
    store.saveBatch({
      id: "gone",
      modelId: "judge",
      provider: "openai",
      providerBatchId: "batch_gone",
      providerStatus: "submitted",
      customIds: [customId],
      createdAt: "2026-01-01T00:00:00.000Z",
    });
    await expect(model.generate(ask("lost"))).rejects.toMatchObject({ statusCode: 404 });
    expect(store.requests.get(`gone/${customId}`)).toBe("failed");
    await expect(model.generate(ask("lost"))).resolves.toMatchObject({ text: "echo: lost" });
    expect(fixture.batches.created()).toBe(2);
  });

  it("an identical request asked again while its batch is submitted, polled or just ended is never sent twice", async () => {
    const fixture = await server(echo);
    const model = batchModel("openai:gpt-4o-mini", fixture, new MemoryBatchStore());
    const first = model.generate(ask("same"));
    // Past the idle window the first batch is being uploaded, polled or already read, depending on the machine's speed:
    // in each case the same request joins it (or is answered from the stored batch) instead of a second batch.
    await new Promise((resolve) => setTimeout(resolve, 205));
    const second = model.generate(ask("same"));
    expect((await Promise.all([first, second])).map((answer) => answer.text)).toEqual(["echo: same", "echo: same"]);
    expect(fixture.batches.list().flatMap((batch) => batch.customIds)).toHaveLength(1);
  });

  it("refuses a provider without a batch API, and a binding without a store", () => {
    const settings = modelSettingsSchema.parse({ id: "t", model: "google:gemini-2.0-flash", batch: true });
    expect(() => createBatchModel(settings, ENV, new MemoryBatchStore())).toThrow(/only openai: and anthropic:/);
    const openai = modelSettingsSchema.parse({ id: "t", model: "openai:gpt-4o-mini", batch: true });
    expect(() => createBatchModel(openai, ENV, undefined)).toThrow(/needs a run's store/);
  });
});
