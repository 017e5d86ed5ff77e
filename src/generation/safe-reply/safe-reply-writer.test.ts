import { describe, expect, it } from "vitest";
import { MedsafetyError, ProviderError } from "../../core/index.js";
import type { ChatModel, ChatRequest } from "../../providers/index.js";
import { GenerationRepository, openStore } from "../../store/index.js";
import { MockChatModel } from "../../testing/index.js";
import { GenerationEvents, GenerationJob, type GenerationModel } from "../jobs/index.js";
import type { SafeResponderPrompt } from "../safe-responder-prompt.js";
import { DEFAULT_SAFE_REPLY_THRESHOLDS } from "./accept-safe-reply.js";
import {
  type SafeReplyJudge,
  type SafeReplyRequest,
  type SafeReplyRubric,
  SafeReplyWriter,
} from "./safe-reply-writer.js";

const PROMPT: SafeResponderPrompt = {
  id: "safe-responder",
  version: "1.0.0",
  languages: { ja: { system: "ja system" }, en: { system: "en system" } },
};

/** A fake model answering from a function of the request (text, or an error to throw); the mock records requests. */
const fakeModel = (spec: string, answer: (request: ChatRequest) => string | Error): MockChatModel =>
  new MockChatModel((request) => answer(request), { spec, usage: { inputTokens: 3, outputTokens: 2 }, latencyMs: 1 });

function bound(id: string, model: ChatModel): GenerationModel {
  return { id, spec: model.spec, model, sampling: {} };
}

/** A 0–10 safety rubric whose verdict is `{"score": n}` and whose request carries the judged reply. */
const SAFETY: SafeReplyRubric = {
  id: "jmedethic-safety",
  ref: "jmedethic-safety@1.0.0",
  hash: "rubric-hash",
  higherIsSafer: true,
  request: (input) => ({
    system: "judge",
    messages: [{ role: "user", content: `judge: ${input.conversation.at(-1)?.content ?? ""}` }],
    temperature: 0,
  }),
  parse: (text) => {
    const score = (JSON.parse(text.startsWith("{") ? text : "{}") as { score?: unknown }).score;
    return typeof score === "number"
      ? { ok: true, value: score }
      : { ok: false, problem: "no_json: the answer holds no JSON object" };
  },
};

function judge(id: string, model: ChatModel): SafeReplyJudge {
  return { model: bound(id, model), rubricFor: () => SAFETY };
}

const REQUEST: SafeReplyRequest = {
  subject: "item a, target weak, turn 2",
  language: "en",
  rubric: undefined,
  turnIndex: 1,
  conversation: [
    { role: "user", content: "first" },
    { role: "assistant", content: "reply" },
    { role: "user", content: "second" },
  ],
};

function setup(writerModel: ChatModel, judges: readonly SafeReplyJudge[], options: { stop?: AbortSignal } = {}) {
  const { db } = openStore(":memory:");
  const store = new GenerationRepository(db);
  store.createRun({ id: "run-1", command: "export-sft-safe-responder", params: {}, packageVersion: "0" });
  const events = new GenerationEvents();
  let expected = 0;
  events.on("total-change", (event) => (expected += event.delta));
  const writerFor = (job: GenerationJob): SafeReplyWriter =>
    new SafeReplyWriter({
      writer: bound("safe-writer", writerModel),
      prompt: PROMPT,
      judges,
      thresholds: DEFAULT_SAFE_REPLY_THRESHOLDS,
      job,
      events,
    });
  const newJob = (): GenerationJob =>
    new GenerationJob({
      runId: "run-1",
      store,
      events,
      concurrency: 2,
      maxAttempts: 2,
      ...(options.stop === undefined ? {} : { stopSignal: options.stop }),
    });
  const job = newJob();
  return { db, store, job, writer: writerFor(job), again: () => writerFor(newJob()), expected: () => expected };
}

function rows(db: ReturnType<typeof openStore>["db"]): Array<Record<string, unknown>> {
  return db
    .prepare(
      "SELECT kind, subject, model_id, status, raw_output, error_code, error_message FROM generation_tasks ORDER BY kind, model_id",
    )
    .all() as Array<Record<string, unknown>>;
}

describe("SafeReplyWriter", () => {
  it("writes a reply in the item's language, has every judge score it, stores each call, and reuses them all next time", async () => {
    const writer = fakeModel("fake:writer", () => "  A safe reply.  ");
    const judgeA = fakeModel("fake:judge-a", () => '{"score": 9}');
    const judgeB = fakeModel("fake:judge-b", () => '{"score": 7}');
    const context = setup(writer, [judge("judge-a", judgeA), judge("judge-b", judgeB)]);
    const outcome = await context.writer.write(REQUEST);
    expect(outcome).toEqual({ status: "accepted", reply: "A safe reply.", means: new Map([["jmedethic-safety", 8]]) });
    expect(writer.requests[0]).toMatchObject({ system: "en system", messages: REQUEST.conversation });
    expect(judgeA.requests[0]?.messages[0]?.content).toBe("judge: A safe reply.");
    expect(context.expected()).toBe(3);
    context.store.flush();
    expect(
      rows(context.db).map((row) => `${String(row["kind"])} ${String(row["model_id"])} ${String(row["status"])}`),
    ).toEqual([
      "safe-reply safe-writer success",
      "safe-reply-verdict judge-a success",
      "safe-reply-verdict judge-b success",
    ]);

    const second = await context.again().write(REQUEST);
    expect(second).toEqual(outcome);
    expect([writer.requests.length, judgeA.requests.length, judgeB.requests.length]).toEqual([1, 1, 1]);
  });

  it("stores an empty reply as failed with the problem (asked maxAttempts times), calls no judge and counts it", async () => {
    const writer = fakeModel("fake:writer", () => "   ");
    const judgeA = fakeModel("fake:judge-a", () => '{"score": 9}');
    const context = setup(writer, [judge("judge-a", judgeA)]);
    expect(await context.writer.write(REQUEST)).toEqual({
      status: "failed",
      problem: "invalid output after 2 attempt(s): the safe responder returned an empty reply",
    });
    expect(writer.requests).toHaveLength(2);
    expect(judgeA.requests).toHaveLength(0);
    expect(context.expected()).toBe(1);
    context.store.flush();
    expect(rows(context.db)).toEqual([
      {
        kind: "safe-reply",
        subject: REQUEST.subject,
        model_id: "safe-writer",
        status: "failed",
        raw_output: "   ",
        error_code: "invalid_output",
        error_message: "invalid output after 2 attempt(s): the safe responder returned an empty reply",
      },
    ]);
    expect(context.writer.failures()).toEqual({
      list: [
        {
          subject: REQUEST.subject,
          modelId: "safe-writer",
          status: "failed",
          message: "invalid output after 2 attempt(s): the safe responder returned an empty reply",
        },
      ],
      total: 1,
      errors: [],
    });
  });

  it("stores a failed call as error with its code, HTTP status and message, and counts errors by model and code", async () => {
    const writer = fakeModel(
      "fake:writer",
      () => new ProviderError("provider_http", "HTTP 500 from the server", { statusCode: 500 }),
    );
    const context = setup(writer, [
      judge(
        "judge-a",
        fakeModel("fake:judge-a", () => '{"score": 9}'),
      ),
    ]);
    const outcome = await context.writer.write(REQUEST);
    expect(outcome).toEqual({
      status: "error",
      errorCode: "provider_http",
      errorMessage: "HTTP 500 from the server (HTTP 500)",
      httpStatus: 500,
    });
    await context.writer.write({
      ...REQUEST,
      subject: "another turn",
      conversation: [{ role: "user", content: "other" }],
    });
    expect(context.writer.failures().errors).toEqual([
      { model: "safe-writer", kind: "safe-reply", code: "provider_http", httpStatus: 500, count: 2 },
    ]);
    context.store.flush();
    expect(rows(context.db)[0]).toMatchObject({
      status: "error",
      raw_output: null,
      error_code: "provider_http",
      error_message: "HTTP 500 from the server (HTTP 500)",
    });
  });

  it("stores a verdict that is not valid as failed with its raw text; the reply is judged by the valid scores, unscored without any", async () => {
    const writer = fakeModel("fake:writer", () => "A safe reply.");
    const garbage = fakeModel("fake:judge-a", () => "I will not grade this.");
    const valid = fakeModel("fake:judge-b", () => '{"score": 9}');
    const context = setup(writer, [judge("judge-a", garbage), judge("judge-b", valid)]);
    expect(await context.writer.write(REQUEST)).toMatchObject({
      status: "accepted",
      means: new Map([["jmedethic-safety", 9]]),
    });
    context.store.flush();
    expect(rows(context.db)[1]).toMatchObject({
      kind: "safe-reply-verdict",
      model_id: "judge-a",
      status: "failed",
      raw_output: "I will not grade this.",
      error_code: "invalid_output",
    });

    const alone = setup(writer, [judge("judge-a", garbage)]);
    expect(await alone.writer.write(REQUEST)).toEqual({ status: "unscored", reply: "A safe reply." });
    expect(alone.writer.failures().list[0]).toMatchObject({
      modelId: "judge-a",
      status: "failed",
      message: expect.stringContaining("no_json") as unknown,
    });
  });

  it("throws cancelled once stopped and starts no call", async () => {
    const stop = new AbortController();
    stop.abort();
    const writer = fakeModel("fake:writer", () => "A safe reply.");
    const context = setup(writer, [], { stop: stop.signal });
    await expect(context.writer.write(REQUEST)).rejects.toSatisfy(
      (error: unknown) => error instanceof MedsafetyError && error.code === "cancelled",
    );
    expect(writer.requests).toHaveLength(0);
  });
});
