/**
 * Repeated sampling (`epochs: N`, decision 0030) through the run steps the CLI and `evaluate` share, against the
 * fixture server (OpenAI wire format, a real SQLite store, the real response cache): every item is answered N times
 * under distinct keys, the response cache never answers one epoch with another's reply (yet a second run is served
 * from it epoch by epoch), and a run stopped after some calls resumes every epoch without repeating a stored call
 * (the server counts the requests).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Config, configSchema } from "../config/index.js";
import { RunEvents } from "../runner/index.js";
import { ItemRepository, openStore, ResponseCacheRepository, ResultRepository, RunRepository } from "../store/index.js";
import { type FixtureRequest, type FixtureServer, startFixtureServer } from "../testing/index.js";
import { estimateRun } from "./estimate/estimate-run.js";
import { bindRun, executeBoundRun, recordRun } from "./run-steps.js";

const ENV = { OPENAI_API_KEY: "sk-fixture" };
const ITEMS = 4;
const TURNS = 3;
const EPOCHS = 3;

let server: FixtureServer;
let folder: string;
/** Target requests by the text of their conversation: how often each exact request reached the server. */
let targetReplies = 0;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), "medsafety-epochs-"));
  server = await startFixtureServer({
    handler: (request: FixtureRequest) => {
      if (request.jsonSchema !== undefined) return { kind: "json", value: { rationale: "safe enough", score: 8 } };
      targetReplies += 1;
      // Every call answers differently, as a model sampled at temperature > 0 would.
      return { kind: "text", text: `sample ${targetReplies}` };
    },
  });
});

afterAll(async () => {
  await server.close();
  rmSync(folder, { recursive: true, force: true });
});

function config(extra: Record<string, unknown> = {}): Config {
  return configSchema.parse({
    benchmark: "builtin:sample",
    languages: ["en"],
    limit: ITEMS,
    cache: true,
    targets: [
      {
        id: "target",
        model: "openai:gpt-4o-mini",
        baseURL: server.openaiBaseURL,
        temperature: 0.7,
        epochs: EPOCHS,
      },
    ],
    judges: [{ id: "judge", model: "openai:gpt-4o-mini", baseURL: server.openaiBaseURL, rubric: "jmedethic-safety" }],
    ...extra,
  });
}

function storesOf(path: string) {
  const { db } = openStore(path);
  return {
    db,
    runs: new RunRepository(db),
    items: new ItemRepository(db),
    results: new ResultRepository(db),
  };
}

/** Records a run and executes it, stopping new calls after `stopAfter` target turns when given. */
async function runOnce(
  path: string,
  runId: string,
  options: { readonly resume?: boolean; readonly stopAfter?: number; readonly cfg?: Config } = {},
): Promise<"success" | "cancelled"> {
  const stores = storesOf(path);
  const cfg = options.cfg ?? config();
  const run = bindRun(cfg, { env: ENV, store: path, cache: new ResponseCacheRepository(stores.db) });
  try {
    if (options.resume !== true) await recordRun(stores, run, runId, ENV);
    const events = new RunEvents();
    const stop = new AbortController();
    let answered = 0;
    events.on("turn-end", (event) => {
      if (event.status !== "skipped") answered += 1;
      if (options.stopAfter !== undefined && answered >= options.stopAfter) stop.abort();
    });
    const status = await executeBoundRun(stores, run, {
      runId,
      events,
      concurrency: 2,
      resume: options.resume === true,
      retryErrors: false,
      stopSignal: stop.signal,
      abortSignal: new AbortController().signal,
      now: () => new Date("2026-12-02T00:00:00Z"),
    });
    stores.results.flush();
    return status;
  } finally {
    await run.bound.close();
    stores.db.close();
  }
}

interface StoredTurn {
  key: string;
  itemId: string;
  epoch: number;
  turnIndex: number;
  responseText: string;
  cached: number;
}

function storedTurns(path: string, runId: string): StoredTurn[] {
  const { db } = openStore(path);
  try {
    return db
      .prepare(
        `SELECT key, item_id AS "itemId", epoch, turn_index AS "turnIndex", response_text AS "responseText", cached
         FROM turns WHERE run_id = ? ORDER BY item_id, epoch, turn_index`,
      )
      .all(runId) as StoredTurn[];
  } finally {
    db.close();
  }
}

function judgmentCount(path: string, runId: string): { all: number; distinct: number } {
  const { db } = openStore(path);
  try {
    return db
      .prepare(`SELECT COUNT(*) AS "all", COUNT(DISTINCT key) AS "distinct" FROM judgments WHERE run_id = ?`)
      .get(runId) as { all: number; distinct: number };
  } finally {
    db.close();
  }
}

describe("a target with epochs: 3", () => {
  it("answers every item three times under distinct keys, each epoch its own sample, all stored", async () => {
    const path = join(folder, "epochs.db");
    const before = server.callCount();
    expect(await runOnce(path, "run-epochs")).toBe("success");
    const turns = storedTurns(path, "run-epochs");
    expect(turns).toHaveLength(ITEMS * EPOCHS * TURNS);
    expect(new Set(turns.map((turn) => turn.key)).size).toBe(turns.length);
    expect(new Set(turns.map((turn) => turn.epoch))).toEqual(new Set([0, 1, 2]));
    // Each call answered differently: had the cache served epoch 1 with epoch 0's reply, texts would repeat.
    expect(new Set(turns.map((turn) => turn.responseText)).size).toBe(turns.length);
    expect(turns.every((turn) => turn.cached === 0)).toBe(true);
    // Every turn judged once (one judge), and every call reached the server once.
    expect(judgmentCount(path, "run-epochs")).toEqual({ all: turns.length, distinct: turns.length });
    expect(server.callCount() - before).toBe(2 * ITEMS * EPOCHS * TURNS);
  });

  it("a second run is answered from the response cache epoch by epoch: the same reply for the same epoch", async () => {
    const path = join(folder, "epochs.db");
    const before = server.callCount();
    expect(await runOnce(path, "run-epochs-again")).toBe("success");
    const first = storedTurns(path, "run-epochs");
    const again = storedTurns(path, "run-epochs-again");
    expect(again.every((turn) => turn.cached === 1)).toBe(true);
    expect(again.map((turn) => [turn.itemId, turn.epoch, turn.turnIndex, turn.responseText])).toEqual(
      first.map((turn) => [turn.itemId, turn.epoch, turn.turnIndex, turn.responseText]),
    );
    expect(server.callCount() - before).toBe(0);
  });

  it("a run stopped after some calls resumes every epoch without repeating a stored call", async () => {
    const path = join(folder, "resume.db");
    // A fresh cache (another store), so that every call reaches the server.
    const before = server.callCount();
    expect(await runOnce(path, "run-resume", { stopAfter: 7 })).toBe("cancelled");
    const partial = storedTurns(path, "run-resume");
    const partialJudgments = judgmentCount(path, "run-resume").all;
    expect(partial.length).toBeGreaterThanOrEqual(7);
    expect(partial.length).toBeLessThan(ITEMS * EPOCHS * TURNS);
    const afterStop = server.callCount();
    expect(afterStop - before).toBe(partial.length + partialJudgments);
    expect(await runOnce(path, "run-resume", { resume: true })).toBe("success");
    const turns = storedTurns(path, "run-resume");
    expect(turns).toHaveLength(ITEMS * EPOCHS * TURNS);
    expect(new Set(turns.map((turn) => turn.key)).size).toBe(turns.length);
    // The stored turns kept their replies; only the missing calls were made: total calls = stored rows, once each.
    for (const stored of partial)
      expect(turns.find((turn) => turn.key === stored.key)?.responseText).toBe(stored.responseText);
    expect(server.callCount() - before).toBe(turns.length + judgmentCount(path, "run-resume").all);
  });
});

describe("a budget over epochs", () => {
  it("admits each epoch as a conversation, stays within the budget, and a resume completes every epoch once", async () => {
    const path = join(folder, "budget.db");
    const before = server.callCount();
    // A budget for about three conversations at the conservative prior (gpt-4o-mini at the price table's rate, 4096
    // output tokens a call): the run's four workers ask at once, so a later epoch is refused before any has finished.
    const status = await runOnce(path, "run-budget", { cfg: config({ maxCost: 0.05 }) });
    const partial = storedTurns(path, "run-budget");
    expect(status).toBe("cancelled");
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(ITEMS * EPOCHS * TURNS);
    expect(new Set(partial.map((turn) => turn.key)).size).toBe(partial.length);
    expect(await runOnce(path, "run-budget", { resume: true, cfg: config({ maxCost: 10 }) })).toBe("success");
    const turns = storedTurns(path, "run-budget");
    expect(turns).toHaveLength(ITEMS * EPOCHS * TURNS);
    expect(new Set(turns.map((turn) => turn.key)).size).toBe(turns.length);
    expect(server.callCount() - before).toBe(turns.length + judgmentCount(path, "run-budget").all);
  });
});

describe("the estimate of a run with epochs", () => {
  it("plans every epoch: conversations and calls × 3, no call made", async () => {
    const before = server.callCount();
    const estimate = await estimateRun(config(), { env: ENV });
    expect(estimate.plan).toEqual({ items: ITEMS, conversations: ITEMS * EPOCHS });
    expect(estimate.totals.calls).toBe(2 * ITEMS * EPOCHS * TURNS);
    expect(server.callCount()).toBe(before);
  });
});

describe("epochs in the config", () => {
  it("refuses epochs at temperature 0 or unset, and with precision, naming the key", () => {
    const base = (target: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      configSchema.safeParse({
        benchmark: "builtin:sample",
        targets: [{ id: "t", model: "openai:gpt-4o-mini", ...target }],
        judges: [{ id: "j", model: "openai:gpt-4o-mini" }],
        ...extra,
      });
    const unset = base({ epochs: 3 });
    expect(unset.success).toBe(false);
    expect(unset.error?.issues[0]?.path).toEqual(["targets", 0, "epochs"]);
    expect(unset.error?.issues[0]?.message).toContain("set temperature above 0");
    const zero = base({ epochs: 2, temperature: 0 });
    expect(zero.error?.issues[0]?.path).toEqual(["targets", 0, "temperature"]);
    const precise = base({ epochs: 2, temperature: 0.7 }, { precision: 0.05 });
    expect(precise.error?.issues[0]?.message).toContain("cannot be combined with precision");
    expect(base({ epochs: 2, temperature: 0.7 }).success).toBe(true);
    expect(base({ epochs: 1 }).success).toBe(true);
  });
});
