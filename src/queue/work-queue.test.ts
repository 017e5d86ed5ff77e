/**
 * The work queue against a real PostgreSQL (test/support/postgres.ts; skipped with the reason printed where there is
 * none outside CI): enqueueing twice is a no-op, jobs join the caller's transaction, a dead worker's job is delivered
 * again after its expiry (not before), a stopping worker hands its jobs back at once, a run's waiting jobs cancel.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { postgresForTests } from "../../test/support/postgres.js";
import { PostgresDatabase } from "../store/index.js";
import { type ConversationJobData, conversationJobId, type QueuedJob, queueNameOf, WorkQueue, work } from "./index.js";

const postgres = postgresForTests();

function jobsOf(runId: string, targetId: string, count: number): ConversationJobData[] {
  return Array.from({ length: count }, (_, index) => ({ runId, itemId: `item-${index}`, itemVersion: "v1", targetId }));
}

describe("conversation job ids", () => {
  it("are UUIDs derived from the conversation key: the same conversation, the same id", () => {
    const job = { runId: "r1", itemId: "a", itemVersion: "v1", targetId: "t" };
    expect(conversationJobId(job)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(conversationJobId(job)).toBe(conversationJobId({ ...job }));
    expect(conversationJobId({ ...job, targetId: "u" })).not.toBe(conversationJobId(job));
    expect(conversationJobId({ ...job, itemVersion: "v2" })).not.toBe(conversationJobId(job));
  });
});

describe.skipIf(postgres.skipReason !== undefined)("WorkQueue on PostgreSQL", () => {
  let url: string;
  const opened: WorkQueue[] = [];
  const start = async (expireInSeconds = 60): Promise<WorkQueue> => {
    const queue = await WorkQueue.start(url, { expireInSeconds });
    opened.push(queue);
    return queue;
  };
  beforeAll(async () => {
    url = await postgres.newDatabase();
  });
  afterEach(async () => {
    for (const queue of opened.splice(0)) await queue.stop({ graceful: false });
  });

  it("enqueueing the same conversations twice queues each once", async () => {
    const queue = await start();
    await queue.prepareRun("run-twice", ["t1", "t2"]);
    const jobs = [...jobsOf("run-twice", "t1", 5), ...jobsOf("run-twice", "t2", 3)];
    await queue.enqueue(jobs);
    await queue.enqueue(jobs);
    const queues = [queueNameOf("run-twice", "t1"), queueNameOf("run-twice", "t2")];
    expect(await queue.counts(queues)).toEqual({ queued: 8, active: 0 });
    const fetched = await queue.fetch(queues[0] as string, 10);
    expect(fetched.map((job) => job.id).sort()).toEqual(jobsOf("run-twice", "t1", 5).map(conversationJobId).sort());
    await queue.enqueue(jobs);
    expect(await queue.counts(queues)).toEqual({ queued: 3, active: 5 });
  });

  it("jobs enqueued inside the caller's transaction exist only if it commits", async () => {
    const queue = await start();
    await queue.prepareRun("run-tx", ["t"]);
    const db = new PostgresDatabase(url);
    try {
      const execute = (text: string, values: readonly unknown[]) => db.query(text, values);
      db.exec("BEGIN");
      queue.enqueueWithin(execute, jobsOf("run-tx", "t", 4));
      expect(await queue.counts([queueNameOf("run-tx", "t")])).toEqual({ queued: 0, active: 0 });
      db.exec("ROLLBACK");
      expect(await queue.counts([queueNameOf("run-tx", "t")])).toEqual({ queued: 0, active: 0 });
      db.exec("BEGIN");
      queue.enqueueWithin(execute, jobsOf("run-tx", "t", 4));
      queue.enqueueWithin(execute, jobsOf("run-tx", "t", 4));
      db.exec("COMMIT");
      expect(await queue.counts([queueNameOf("run-tx", "t")])).toEqual({ queued: 4, active: 0 });
      // A failing insert throws at once, so the caller's transaction rolls back.
      db.exec("BEGIN");
      expect(() => queue.enqueueWithin(fail, [])).not.toThrow();
      expect(() => queue.enqueueWithin(fail, jobsOf("run-tx", "t", 1))).toThrow("refused");
      db.exec("ROLLBACK");
    } finally {
      db.close();
    }
  });

  it("a job whose worker died is delivered again after its expiry, not before", async () => {
    const died = await start(2);
    await died.prepareRun("run-expiry", ["t"]);
    const name = queueNameOf("run-expiry", "t");
    await died.enqueue(jobsOf("run-expiry", "t", 1));
    const [taken] = await died.fetch(name, 1);
    expect(taken).toBeDefined();
    // The worker dies without completing or handing back its job.
    const other = await start(2);
    await other.expire();
    expect(await other.fetch(name, 1)).toEqual([]);
    expect(await other.stateOf(taken as QueuedJob)).toBe("active");
    await sleep(2500);
    await other.expire();
    const again = await other.fetch(name, 1);
    expect(again.map((job) => job.id)).toEqual([taken?.id]);
    expect(again[0]?.data).toEqual(taken?.data);
  });

  it("a stopping worker hands its unfinished jobs back at once, long before their expiry", async () => {
    const stopping = await start(600);
    await stopping.prepareRun("run-stop", ["t"]);
    const name = queueNameOf("run-stop", "t");
    await stopping.enqueue(jobsOf("run-stop", "t", 3));
    const stop = new AbortController();
    const started: string[] = [];
    const working = work(stopping, {
      queues: () => [name],
      concurrency: 2,
      signal: stop.signal,
      pollIntervalMs: 50,
      handler: async (job) => {
        started.push(job.id);
        await new Promise((resolve) => stop.signal.addEventListener("abort", resolve, { once: true }));
        return "hand-back";
      },
    });
    while (started.length < 2) await sleep(20);
    const other = await start(600);
    expect(await other.counts([name])).toEqual({ queued: 1, active: 2 });
    const stoppedAt = Date.now();
    stop.abort();
    expect(await working).toEqual({ completed: 0, failed: 0, handedBack: 2 });
    const taken = await other.fetch(name, 10);
    expect(Date.now() - stoppedAt).toBeLessThan(5000);
    expect(taken.map((job) => job.id).sort()).toEqual(jobsOf("run-stop", "t", 3).map(conversationJobId).sort());
  });

  it("works every job once, at most `concurrency` at a time, a crashed handler's job again, then ends when idle", async () => {
    const queue = await start();
    await queue.prepareRun("run-work", ["a", "b"]);
    await queue.enqueue([...jobsOf("run-work", "a", 6), ...jobsOf("run-work", "b", 4)]);
    const queues = [queueNameOf("run-work", "a"), queueNameOf("run-work", "b")];
    let inFlight = 0;
    let most = 0;
    const runs = new Map<string, number>();
    const tally = await work(queue, {
      queues: () => queues,
      concurrency: 3,
      signal: new AbortController().signal,
      pollIntervalMs: 50,
      whenIdle: async () => (await queue.counts(queues)).queued === 0,
      handler: async (job) => {
        inFlight++;
        most = Math.max(most, inFlight);
        runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
        await sleep(30);
        inFlight--;
        if (job.data.itemId === "item-1" && job.data.targetId === "a" && runs.get(job.id) === 1)
          throw new Error("handler crashed");
        return "complete";
      },
    });
    expect(tally).toEqual({ completed: 10, failed: 1, handedBack: 0 });
    expect(most).toBeLessThanOrEqual(3);
    expect(runs.size).toBe(10);
    expect(await queue.counts(queues)).toEqual({ queued: 0, active: 0 });
  });

  it("cancelling a run removes its waiting jobs", async () => {
    const queue = await start();
    await queue.prepareRun("run-cancel", ["t"]);
    await queue.prepareRun("run-kept", ["t"]);
    await queue.enqueue([...jobsOf("run-cancel", "t", 4), ...jobsOf("run-kept", "t", 2)]);
    await queue.cancelRun("run-cancel", ["t", "never-queued"]);
    expect(await queue.counts([queueNameOf("run-cancel", "t")])).toEqual({ queued: 0, active: 0 });
    expect(await queue.counts([queueNameOf("run-kept", "t")])).toEqual({ queued: 2, active: 0 });
    await queue.requeue(jobsOf("run-cancel", "t", 4));
    expect(await queue.counts([queueNameOf("run-cancel", "t")])).toEqual({ queued: 4, active: 0 });
  });

  it("requeueing (run --resume) puts active jobs back at once, leaves completed ones, adds missing ones", async () => {
    const queue = await start(600);
    await queue.prepareRun("run-resume", ["t"]);
    const name = queueNameOf("run-resume", "t");
    const all = jobsOf("run-resume", "t", 4);
    await queue.enqueue(all.slice(0, 3));
    const [done, held] = await queue.fetch(name, 2);
    await queue.complete(done as QueuedJob);
    // `held` stays active: its worker was killed, and its expiry is 10 minutes away.
    await queue.requeue(all);
    expect(await queue.stateOf(done as QueuedJob)).toBe("completed");
    expect(await queue.counts([name])).toEqual({ queued: 3, active: 0 });
    const again = await queue.fetch(name, 10);
    expect(again.map((job) => job.id).sort()).toEqual(
      all
        .map(conversationJobId)
        .filter((id) => id !== done?.id)
        .sort(),
    );
    expect(again.map((job) => job.id)).toContain(held?.id);
  });
});

function fail(): never {
  throw new Error("the store refused the insert");
}
