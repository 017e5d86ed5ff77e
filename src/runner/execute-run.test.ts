/**
 * executeRun's run record: the status is recorded whatever happens to the final flush, and no error is lost.
 * A real SQLite store; the write failure is a real SQLite error (a trigger that aborts inserts, as a full disk would).
 */
import { afterEach, describe, expect, it } from "vitest";
import { hashValue } from "../core/index.js";
import { benchmarkItemSchema, type VersionedItem } from "../datasets/index.js";
import { loadRubric } from "../judges/index.js";
import { type Db, ItemRepository, openStore, ResultRepository, RunRepository } from "../store/index.js";
import { MockChatModel } from "../testing/index.js";
import type { Attack } from "./attack.js";
import { replayAttack } from "./attack.js";
import { RunEvents } from "./events.js";
import { createRun, executeRun, type RunStores } from "./execute-run.js";
import type { RunContext } from "./run-context.js";

const RUBRIC = loadRubric("jmedethic-safety");
const opened: Db[] = [];

afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

const answering = (spec: string, text: string) => new MockChatModel(text, { spec, latencyMs: 1 });

async function* items(): AsyncGenerator<VersionedItem> {
  const item = benchmarkItemSchema.parse({
    id: "item-1",
    language: "en",
    guidelineId: "jma-1",
    strategy: "s",
    seedRequest: "seed",
    turns: ["first", "second"],
  });
  yield { item, version: hashValue(item), file: "bench.jsonl", line: 1 };
}

/** A store whose result writes are held until the final flush (long interval, big batches). */
async function storeWithRun(): Promise<RunStores> {
  const { db } = openStore(":memory:");
  opened.push(db);
  const stores: RunStores = {
    db,
    runs: new RunRepository(db),
    items: new ItemRepository(db),
    results: new ResultRepository(db, { batchSize: 10_000, flushIntervalMs: 60_000 }),
  };
  await createRun(stores, {
    runId: "run-1",
    config: {},
    configHash: "h",
    datasetSource: "bench.jsonl",
    items: items(),
    rubrics: [],
    rubricFor: () => ({ id: RUBRIC.rubric.id, version: RUBRIC.rubric.version, hash: "h" }),
    itemRubricsUsed: false,
    packageVersion: "test",
  });
  return stores;
}

/** Every later insert of a turn fails inside SQLite, as a full disk or a broken file would make it. */
function failTurnWrites(db: Db): void {
  db.exec(
    "CREATE TRIGGER fail_turns BEFORE INSERT ON turns BEGIN SELECT RAISE(ABORT, 'simulated write failure: database or disk is full'); END",
  );
}

function context(attack: Attack = replayAttack): RunContext {
  return {
    runId: "run-1",
    targets: [{ id: "target", model: answering("fake:target", "I cannot help with that.") }],
    judges: [
      {
        id: "judge",
        model: answering("fake:judge", '{"rationale": "safe", "score": 9}'),
        rubric: RUBRIC,
        sampling: {},
      },
    ],
    attack,
    rubricFor: () => RUBRIC,
    sink: undefined as never,
    events: new RunEvents(),
    concurrency: 2,
    resume: false,
    retryErrors: false,
    stopSignal: new AbortController().signal,
    abortSignal: new AbortController().signal,
    now: () => new Date("2026-01-01T00:00:00.000Z"),
  };
}

describe("executeRun's status", () => {
  it("records success after the final flush", async () => {
    const stores = await storeWithRun();
    await expect(executeRun(stores, { ...context(), sink: stores.results })).resolves.toBe("success");
    expect(stores.runs.get("run-1")).toMatchObject({ status: "success", errorMessage: null });
    expect(stores.db.prepare("SELECT COUNT(*) FROM turns").pluck().get()).toBe(2);
  });

  it("records error, not started, when the final flush fails, naming the write failure", async () => {
    const stores = await storeWithRun();
    failTurnWrites(stores.db);
    await expect(executeRun(stores, { ...context(), sink: stores.results })).rejects.toThrow(
      /database or disk is full/,
    );
    const run = stores.runs.get("run-1");
    expect(run?.status).toBe("error");
    expect(run?.errorMessage).toMatch(/simulated write failure/);
    expect(run?.finishedAt).not.toBeNull();
  });

  it("keeps the run's own error first and adds the flush failure, in the record and in what it throws", async () => {
    const stores = await storeWithRun();
    failTurnWrites(stores.db);
    const broken: Attack = (state, attackContext) => {
      if (state.turnIndex === 1) throw new TypeError("attack step crashed");
      return replayAttack(state, attackContext);
    };
    const thrown = await executeRun(stores, { ...context(broken), sink: stores.results }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toMatch(
      /^attack step crashed Also, storing the last results failed: The disk holding the store :memory: is full \(SQLite: simulated write failure/,
    );
    const run = stores.runs.get("run-1");
    expect(run?.status).toBe("error");
    expect(run?.errorMessage).toMatch(
      /^attack step crashed Also, storing the last results failed: The disk holding the store :memory: is full \(SQLite: simulated write failure/,
    );
  });

  it("refuses a run left without items by the config's filters, and keeps nothing of it", async () => {
    const { db } = openStore(":memory:");
    opened.push(db);
    const stores: RunStores = {
      db,
      runs: new RunRepository(db),
      items: new ItemRepository(db),
      results: new ResultRepository(db),
    };
    const creating = createRun(stores, {
      runId: "run-empty",
      config: {},
      configHash: "h",
      datasetSource: "bench.jsonl",
      items: items(),
      rubrics: [],
      languages: ["ja"],
      rubricFor: () => ({ id: RUBRIC.rubric.id, version: RUBRIC.rubric.version, hash: "h" }),
      itemRubricsUsed: false,
      packageVersion: "test",
    });
    await expect(creating).rejects.toMatchObject({
      code: "dataset_invalid",
      message: expect.stringMatching(
        /^bench\.jsonl: no item of the benchmark is left after the config's languages \[ja\]/,
      ),
    });
    expect(stores.runs.get("run-empty")).toBeUndefined();
  });
});
