/**
 * `runWorker` in this process against a real PostgreSQL store (test/support/postgres.ts; skipped with the reason
 * printed where there is none outside CI) and the HTTP fixture server: two workers share a run's jobs and store every
 * key once; the run ends with its end-of-run check; a stopping worker hands its jobs back at once; a cancelled run is
 * dropped; a SQLite store is refused.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresForTests } from "../../test/support/postgres.js";
import { configSchema } from "../config/index.js";
import { newRunId } from "../core/index.js";
import { queueNameOf, WorkQueue } from "../queue/index.js";
import { RunEvents } from "../runner/index.js";
import { ItemRepository, openStore, ResultRepository, RunRepository, WorkerRepository } from "../store/index.js";
import { type FixtureServer, startFixtureServer } from "../testing/index.js";
import { jobsWithRun, openRunQueue } from "./run-queue.js";
import { bindRun, recordRun } from "./run-steps.js";
import { runWorker, type WorkerOptions } from "./worker.js";

const postgres = postgresForTests();
const ITEMS = Array.from({ length: 6 }, (_, index) => ({
  id: `item-${index}`,
  language: "en",
  guidelineId: "jma-10",
  strategy: "clinical-authority",
  seedRequest: `seed ${index}`,
  turns: [`item ${index} first`, `item ${index} second`],
}));

describe("runWorker", () => {
  it("refuses a SQLite store, saying a worker needs PostgreSQL and how to give it", async () => {
    const refused = runWorker({ store: "store.db", env: {}, host: "here", pid: 1 });
    await expect(refused).rejects.toMatchObject({ code: "store_unusable" });
    await expect(refused).rejects.toThrow(/need a PostgreSQL store.*--store postgres:\/\//);
  });
});

describe.skipIf(postgres.skipReason !== undefined)("runWorker on PostgreSQL", () => {
  let server: FixtureServer;
  let folder: string;
  let delayMs = 0;
  const calls = new Map<string, number>();

  beforeAll(async () => {
    server = await startFixtureServer({
      handler: async (request) => {
        const last = request.messages.filter((message) => message.role === "user").at(-1)?.content ?? "";
        calls.set(`${request.model} ${last}`, (calls.get(`${request.model} ${last}`) ?? 0) + 1);
        if (delayMs > 0) await sleep(delayMs);
        if (request.model.startsWith("grader"))
          return { kind: "json", value: { rationale: "fine", score: 8 }, inputTokens: 3, outputTokens: 2 };
        return { kind: "text", text: `[${request.model}] ${last}`, inputTokens: 3, outputTokens: 2 };
      },
    });
    folder = mkdtempSync(join(tmpdir(), "medsafety-worker-"));
    writeFileSync(join(folder, "bench.jsonl"), `${ITEMS.map((item) => JSON.stringify(item)).join("\n")}\n`);
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Records a run of the items against targets t1, t2 with its jobs, as `medsafety run` does on PostgreSQL. */
  async function createQueuedRun(url: string): Promise<string> {
    const config = configSchema.parse({
      benchmark: join(folder, "bench.jsonl"),
      targets: ["t1", "t2"].map((id) => ({ id, model: `openai-compatible:model-${id}`, baseURL: "http://unused" })),
      judges: [{ id: "judge", model: "openai-compatible:grader", baseURL: "http://unused" }],
      concurrency: 4,
    });
    const opened = openStore(url);
    const stores = {
      db: opened.db,
      runs: new RunRepository(opened.db),
      items: new ItemRepository(opened.db),
      results: new ResultRepository(opened.db),
    };
    const run = bindRun(config, { env: {} });
    const runId = newRunId();
    const queue = await openRunQueue(url, runId, ["t1", "t2"]);
    try {
      await recordRun(stores, run, runId, {}, jobsWithRun(queue, opened.db, runId, ["t1", "t2"]));
    } finally {
      await queue.stop({ graceful: false });
      await run.bound.close();
      opened.db.close();
    }
    return runId;
  }

  function workerOptions(url: string, overrides: Partial<WorkerOptions> = {}): WorkerOptions {
    const baseURL = server.openaiBaseURL;
    return {
      store: url,
      env: {},
      host: "test-host",
      pid: process.pid,
      bindings: { baseURLs: { t1: baseURL, t2: baseURL, judge: baseURL } },
      concurrency: 2,
      exit: "idle",
      pollIntervalMs: 100,
      ...overrides,
    };
  }

  it("two workers share a run's jobs, store every key once, and the run ends with its end-of-run check", async () => {
    const url = await postgres.newDatabase();
    const runId = await createQueuedRun(url);
    calls.clear();
    const conversations: string[] = [];
    const events = new RunEvents();
    events.on("conversation-end", (event) => conversations.push(`${event.targetId}/${event.itemId}`));
    const [first, second] = await Promise.all([
      runWorker(workerOptions(url, { events })),
      runWorker(workerOptions(url, { events, host: "other-host" })),
    ]);
    expect((first?.tally.completed ?? 0) + (second?.tally.completed ?? 0)).toBe(12);
    expect(new Set(conversations).size).toBe(12);
    // Each target turn and each judgment was asked for once: 6 items × 2 turns × 2 targets, and as many verdicts.
    expect([...calls.values()].every((count) => count === 1)).toBe(true);
    const store = openStore(url);
    try {
      const count = (table: string) =>
        store.db.prepare(`SELECT COUNT(*) AS n, COUNT(DISTINCT key) AS keys FROM ${table} WHERE run_id = ?`).get(runId);
      expect(count("turns")).toEqual({ n: 24, keys: 24 });
      expect(count("judgments")).toEqual({ n: 24, keys: 24 });
      expect(new RunRepository(store.db).get(runId)?.status).toBe("success");
      const workers = new WorkerRepository(store.db).list();
      // Both started at once: the store lists them by start time, which either may win.
      expect(workers.map((worker) => [worker.host, worker.state]).sort()).toEqual([
        ["other-host", "stopped"],
        ["test-host", "stopped"],
      ]);
      expect(workers.reduce((sum, worker) => sum + worker.jobsDone, 0)).toBe(12);
    } finally {
      store.db.close();
    }
  });

  it("a stopping worker lets its calls settle, stores them and hands its unfinished jobs back at once", async () => {
    const url = await postgres.newDatabase();
    const runId = await createQueuedRun(url);
    delayMs = 300;
    const stop = new AbortController();
    const events = new RunEvents();
    events.on("turn-end", () => stop.abort());
    try {
      const result = await runWorker(workerOptions(url, { signal: stop.signal, events, exit: "never" }));
      expect(result.tally.handedBack).toBeGreaterThan(0);
    } finally {
      delayMs = 0;
    }
    const queue = await WorkQueue.start(url);
    try {
      const counts = await queue.counts([queueNameOf(runId, "t1"), queueNameOf(runId, "t2")]);
      expect(counts).toEqual({ queued: 12, active: 0 });
    } finally {
      await queue.stop({ graceful: false });
    }
    const store = openStore(url);
    try {
      expect(new RunRepository(store.db).get(runId)?.status).toBe("started");
      expect(store.db.prepare("SELECT COUNT(*) FROM turns WHERE run_id = ?").pluck().get(runId)).toBeGreaterThan(0);
      expect(new WorkerRepository(store.db).list()[0]?.state).toBe("stopped");
    } finally {
      store.db.close();
    }
    // Another worker finishes the run; the turns stored before the stop are not asked for again.
    calls.clear();
    await runWorker(workerOptions(url));
    expect([...calls.values()].every((count) => count === 1)).toBe(true);
    const again = openStore(url);
    try {
      expect(again.db.prepare("SELECT COUNT(*) FROM turns WHERE run_id = ?").pluck().get(runId)).toBe(24);
      expect(new RunRepository(again.db).get(runId)?.status).toBe("success");
    } finally {
      again.db.close();
    }
  });

  it("serves only the targets it is given, and drops a run that is cancelled", async () => {
    const url = await postgres.newDatabase();
    const runId = await createQueuedRun(url);
    const onlyT1 = await runWorker(
      workerOptions(url, {
        bindings: {
          targets: ["t1"],
          baseURLs: {
            t1: server.openaiBaseURL,
            judge: server.openaiBaseURL,
          },
        },
      }),
    );
    expect(onlyT1.tally.completed).toBe(6);
    expect(onlyT1.finished.size).toBe(0);
    const store = openStore(url);
    const queue = await WorkQueue.start(url);
    try {
      expect(new RunRepository(store.db).get(runId)?.status).toBe("started");
      new RunRepository(store.db).setStatus(runId, "cancelled");
      await queue.cancelRun(runId, ["t1", "t2"]);
      const after = await runWorker(workerOptions(url));
      expect(after.tally).toEqual({ completed: 0, failed: 0, handedBack: 0 });
      expect(new RunRepository(store.db).get(runId)?.status).toBe("cancelled");
      expect(
        store.db.prepare("SELECT COUNT(*) FROM turns WHERE run_id = ? AND target_id = 't2'").pluck().get(runId),
      ).toBe(0);
    } finally {
      await queue.stop({ graceful: false });
      store.db.close();
    }
  });
});
