import { describe, expect, it } from "vitest";
import { MockChatModel } from "../testing/index.js";
import type { ChatRequest, ChatResponse } from "./chat-model.js";
import { createStartSpacer, withLimits } from "./rate-limit.js";
import type { Sleep } from "./retry.js";

const REQUEST: ChatRequest = { messages: [{ role: "user", content: "hi" }] };
const OK: ChatResponse = {
  text: "ok",
  usage: { inputTokens: 1, outputTokens: 1 },
  finishReason: "stop",
  latencyMs: 1,
  cached: false,
};

/** A model whose calls stay in flight until released; the mock counts how many run at once. */
function gatedModel() {
  const releases: (() => void)[] = [];
  const model = new MockChatModel(() => new Promise<ChatResponse>((resolve) => releases.push(() => resolve(OK))), {
    spec: "test:gated",
  });
  const releaseAll = (): void => {
    for (const release of releases.splice(0)) release();
  };
  return { model, releaseAll };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("withLimits", () => {
  it("returns the model unchanged without limits", () => {
    const { model } = gatedModel();
    expect(withLimits(model, {})).toBe(model);
  });

  it("never runs more than `concurrency` calls at once", async () => {
    const { model, releaseAll } = gatedModel();
    const limited = withLimits(model, { concurrency: 3 });
    const calls = Array.from({ length: 10 }, () => limited.generate(REQUEST));
    for (let round = 0; round < 10 && model.callCount < 10; round += 1) {
      await tick();
      expect(model.inFlight).toBeLessThanOrEqual(3);
      releaseAll();
    }
    await tick();
    releaseAll();
    await Promise.all(calls);
    expect(model.callCount).toBe(10);
    expect(model.maxInFlight).toBe(3);
  });

  it("spaces starts 60000/rpm apart, without bursts", async () => {
    let time = 0;
    const waits: number[] = [];
    const sleep: Sleep = async (ms) => void waits.push(ms);
    const starts: number[] = [];
    const model = new MockChatModel(
      () => {
        starts.push(time);
        return OK;
      },
      { spec: "test:clock" },
    );
    const limited = withLimits(model, { requestsPerMinute: 60, now: () => time, sleep });
    await Promise.all([limited.generate(REQUEST), limited.generate(REQUEST), limited.generate(REQUEST)]);
    expect(waits).toEqual([1_000, 2_000]);
    time = 10_000; // idle for a while: the next call starts at once, the one after waits a full interval
    await Promise.all([limited.generate(REQUEST), limited.generate(REQUEST)]);
    expect(waits).toEqual([1_000, 2_000, 1_000]);
  });

  it("rejects a call whose signal is already aborted", async () => {
    const { model } = gatedModel();
    const controller = new AbortController();
    controller.abort();
    await expect(
      withLimits(model, { concurrency: 1 }).generate(REQUEST, { signal: controller.signal }),
    ).rejects.toMatchObject({ code: "cancelled" });
  });
});

describe("createStartSpacer", () => {
  it("books one slot per call at the given interval", async () => {
    let time = 500;
    const waits: number[] = [];
    const waitForStart = createStartSpacer(
      250,
      () => time,
      async (ms) => void waits.push(ms),
    );
    await waitForStart(undefined);
    await waitForStart(undefined);
    time = 600;
    await waitForStart(undefined);
    expect(waits).toEqual([250, 400]);
  });
});
