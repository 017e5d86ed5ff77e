import { describe, expect, it } from "vitest";
import { MedsafetyError, ProviderError } from "./errors.js";
import { deserializeError, serializeError, WorkerJobs } from "./worker-jobs.js";

/**
 * A job thread speaking the harness's protocol, as plain JavaScript (worker threads cannot load the TypeScript
 * sources; the built `serveWorkerJobs` is exercised by the e2e runs with `workers: 2` and report threads). Jobs:
 * `{ echo }` answers after `delay` ms, `{ fail }` answers a serialised ProviderError 429, `{ crash }` kills the thread,
 * `{ wait }` answers a cancellation error when cancelled.
 */
const THREAD = `
const { parentPort } = require("node:worker_threads");
const running = new Map();
parentPort.on("message", (request) => {
  if (request.type === "cancel") {
    const timer = running.get(request.id);
    clearTimeout(timer);
    parentPort.postMessage({ type: "error", id: request.id, error: { kind: "medsafety", name: "MedsafetyError", code: "cancelled", message: "stopped", isRetryable: false } });
    return;
  }
  const input = request.input;
  if (input.crash) throw new Error("thread bug");
  if (input.fail) {
    parentPort.postMessage({ type: "error", id: request.id, error: { kind: "provider", name: "ProviderError", code: "provider_http", message: "HTTP 429", isRetryable: true, statusCode: 429, retryAfterMs: 1500 } });
    return;
  }
  if (input.wait) { running.set(request.id, setTimeout(() => {}, 60000)); return; }
  setTimeout(() => parentPort.postMessage({ type: "result", id: request.id, value: { echo: input.echo, thread: require("node:worker_threads").threadId } }), input.delay ?? 0);
});
`;

function pool(
  size: number,
  jobsPerThread?: number,
): WorkerJobs<Record<string, unknown>, { echo: unknown; thread: number }> {
  // A data: URL is an ES module: wrap the CommonJS body with createRequire.
  const esm = `import { createRequire } from "node:module"; const require = createRequire("${import.meta.url}");\n${THREAD}`;
  return new WorkerJobs(new URL(`data:text/javascript,${encodeURIComponent(esm)}`), {
    size,
    label: "a test thread",
    ...(jobsPerThread === undefined ? {} : { jobsPerThread }),
  });
}

describe("errors crossing the thread boundary", () => {
  it("keep a ProviderError's class, code, status, retry-after and retryability", () => {
    const original = new ProviderError("provider_http", "Model x: HTTP 429", { statusCode: 429, retryAfterMs: 1500 });
    const copy = deserializeError(structuredClone(serializeError(original)));
    expect(copy).toBeInstanceOf(ProviderError);
    expect(copy).toMatchObject({
      code: "provider_http",
      message: "Model x: HTTP 429",
      statusCode: 429,
      retryAfterMs: 1500,
      isRetryable: true,
    });
  });

  it("keep a cancellation a MedsafetyError with code cancelled", () => {
    const copy = deserializeError(structuredClone(serializeError(new MedsafetyError("cancelled", "stopped"))));
    expect(copy).toBeInstanceOf(MedsafetyError);
    expect(copy).not.toBeInstanceOf(ProviderError);
    expect((copy as MedsafetyError).code).toBe("cancelled");
  });

  it("keep another error's name, message and string code (a SQLite failure stays recognisable)", () => {
    const sqlite = Object.assign(new Error("database disk image is malformed"), { code: "SQLITE_CORRUPT" });
    sqlite.name = "SqliteError";
    const copy = deserializeError(structuredClone(serializeError(sqlite)));
    expect(copy).not.toBeInstanceOf(MedsafetyError);
    expect(copy).toMatchObject({
      name: "SqliteError",
      message: "database disk image is malformed",
      code: "SQLITE_CORRUPT",
    });
  });
});

describe("WorkerJobs", () => {
  it("answers each job by its id, and rebuilds a thread's ProviderError with its retry information", async () => {
    const jobs = pool(2);
    try {
      const answers = await Promise.all([1, 2, 3, 4].map((echo) => jobs.run({ echo, delay: 5 - echo })));
      expect(answers.map((answer) => answer.echo)).toEqual([1, 2, 3, 4]);
      const failure = await jobs.run({ fail: true }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ProviderError);
      expect(failure).toMatchObject({ statusCode: 429, retryAfterMs: 1500, isRetryable: true });
    } finally {
      await jobs.close();
    }
  });

  it("cancels a running job through its thread, and a job cancelled before it started at once", async () => {
    const jobs = pool(1, 1);
    try {
      const running = new AbortController();
      const waiting = new AbortController();
      const first = jobs.run({ wait: true }, { signal: running.signal }).catch((error: unknown) => error);
      const second = jobs.run({ echo: 2 }, { signal: waiting.signal }).catch((error: unknown) => error);
      waiting.abort();
      expect(await second).toMatchObject({ code: "cancelled", message: expect.stringMatching(/before it started/) });
      running.abort();
      expect(await first).toMatchObject({ code: "cancelled", message: "stopped" });
      expect((await jobs.run({ echo: 3 })).echo).toBe(3);
    } finally {
      await jobs.close();
    }
  });

  it("a crashed thread fails every job it holds, and later jobs go to the threads left", async () => {
    const jobs = pool(2);
    try {
      const crashed = await jobs.run({ crash: true }).catch((error: unknown) => error);
      expect(crashed).toBeInstanceOf(Error);
      expect((crashed as Error).message).toMatch(/^a test thread failed: thread bug/);
      const answers = await Promise.all([1, 2, 3].map((echo) => jobs.run({ echo })));
      expect(new Set(answers.map((answer) => answer.thread)).size).toBe(1);
      await jobs.run({ crash: true }).catch(() => undefined);
      await expect(jobs.run({ echo: 9 })).rejects.toThrow(/no thread left/);
    } finally {
      await jobs.close();
    }
  });

  it("runs at most jobsPerThread jobs per thread; the others wait, in order", async () => {
    const jobs = pool(1, 1);
    try {
      const order: number[] = [];
      await Promise.all(
        [30, 1, 1].map((delay, index) => jobs.run({ echo: index, delay }).then(() => order.push(index))),
      );
      expect(order).toEqual([0, 1, 2]);
    } finally {
      await jobs.close();
    }
  });
});
