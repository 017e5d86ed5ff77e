/**
 * Repeated sampling (`epochs`, decision 0030) on a PostgreSQL store (test/support/postgres.ts; skipped with the reason
 * printed where there is none outside CI): a run's jobs carry the epoch (one job per item × target × epoch), a worker
 * runs them all and stores every key once, and the report read from PostgreSQL (the judgments' epochs read through
 * their turns) counts a conversation per item and epoch and gives the repeated-sampling section.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresForTests } from "../../test/support/postgres.js";
import { configSchema } from "../config/index.js";
import { newRunId } from "../core/index.js";
import { queueNameOf } from "../queue/index.js";
import { ItemRepository, openStore, ResultRepository, RunRepository } from "../store/index.js";
import { type FixtureServer, startFixtureServer } from "../testing/index.js";
import { openResultStore } from "./result-store.js";
import { jobsWithRun, openRunQueue } from "./run-queue.js";
import { bindRun, recordRun } from "./run-steps.js";
import { runWorker } from "./worker.js";

const postgres = postgresForTests();
const ITEMS = Array.from({ length: 3 }, (_, index) => ({
  id: `item-${index}`,
  language: "en",
  guidelineId: "jma-10",
  strategy: "clinical-authority",
  seedRequest: `seed ${index}`,
  turns: [`item ${index} first`, `item ${index} second`],
}));
const EPOCHS = 3;

describe.skipIf(postgres.skipReason !== undefined)("a worker runs every epoch of a PostgreSQL run", () => {
  let server: FixtureServer;
  let folder: string;
  let replies = 0;

  beforeAll(async () => {
    server = await startFixtureServer({
      handler: (request) => {
        if (request.model.startsWith("grader")) {
          // Each reply carries its number; the judge fails the odd ones at turn 2, so epochs differ.
          const last = request.messages.at(-1)?.content ?? "";
          const second = /reply (\d+) to item \d+ second/.exec(last);
          const odd = second !== null && Number(second[1]) % 2 === 1;
          return { kind: "json", value: { rationale: "fine", score: odd ? 1 : 8 } };
        }
        replies += 1;
        const last = request.messages.filter((message) => message.role === "user").at(-1)?.content ?? "";
        return { kind: "text", text: `reply ${replies} to ${last}` };
      },
    });
    folder = mkdtempSync(join(tmpdir(), "medsafety-worker-epochs-"));
    writeFileSync(join(folder, "bench.jsonl"), `${ITEMS.map((item) => JSON.stringify(item)).join("\n")}\n`);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("queues one job per epoch, stores every key once, and reports per item and epoch", async () => {
    const url = await postgres.newDatabase();
    const config = configSchema.parse({
      benchmark: join(folder, "bench.jsonl"),
      targets: [
        { id: "t1", model: "openai-compatible:model-t1", baseURL: "http://unused", temperature: 0.7, epochs: EPOCHS },
      ],
      judges: [{ id: "judge", model: "openai-compatible:grader", baseURL: "http://unused" }],
      concurrency: 2,
      cache: false,
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
    const queue = await openRunQueue(url, runId, ["t1"]);
    try {
      await recordRun(stores, run, runId, {}, jobsWithRun(queue, opened.db, runId, config.targets));
      const counts = await queue.counts([queueNameOf(runId, "t1")]);
      expect(counts).toEqual({ queued: ITEMS.length * EPOCHS, active: 0 });
    } finally {
      await queue.stop({ graceful: false });
      await run.bound.close();
      opened.db.close();
    }

    const before = server.callCount();
    const result = await runWorker({
      store: url,
      env: {},
      host: "test-host",
      pid: process.pid,
      bindings: { baseURLs: { t1: server.openaiBaseURL, judge: server.openaiBaseURL } },
      concurrency: 2,
      exit: "idle",
      pollIntervalMs: 100,
    });
    expect(result?.tally.completed).toBe(ITEMS.length * EPOCHS);
    const turns = ITEMS.length * EPOCHS * 2;
    // Every turn and every judgment asked for once.
    expect(server.callCount() - before).toBe(turns * 2);
    const store = openStore(url);
    try {
      expect(
        store.db
          .prepare(
            `SELECT epoch, COUNT(*) AS n, COUNT(DISTINCT key) AS keys FROM turns WHERE run_id = ? GROUP BY epoch ORDER BY epoch`,
          )
          .all(runId),
      ).toEqual([0, 1, 2].map((epoch) => ({ epoch, n: ITEMS.length * 2, keys: ITEMS.length * 2 })));
      expect(new RunRepository(store.db).get(runId)?.status).toBe("success");
    } finally {
      store.db.close();
    }

    const report = await openResultStore(url).report(runId);
    const target = report.targets[0];
    expect(target?.conversations).toBe(ITEMS.length * EPOCHS);
    expect(target?.completeConversations).toBe(ITEMS.length * EPOCHS);
    // Each conversation's second reply is odd or even by call order; the report's failures must match the store's.
    const failing = (() => {
      const check = openStore(url);
      try {
        return Number(
          (
            check.db
              .prepare(
                "SELECT COUNT(DISTINCT turn_key) AS n FROM judgments WHERE run_id = ? AND status = 'scored' AND score = 1",
              )
              .get(runId) as { n: number }
          ).n,
        );
      } finally {
        check.db.close();
      }
    })();
    expect(target?.passedConversations).toBe(ITEMS.length * EPOCHS - failing);
    expect(report.repeatedSampling?.targets.map((entry) => [entry.targetId, entry.epochs, entry.items])).toEqual([
      ["t1", EPOCHS, ITEMS.length],
    ]);
    const k1 = report.repeatedSampling?.targets[0]?.failsInAnyOfK[0];
    expect(k1?.items).toBe(ITEMS.length);
    expect(k1?.share).toBeCloseTo(failing / (ITEMS.length * EPOCHS), 12);
  });
});
