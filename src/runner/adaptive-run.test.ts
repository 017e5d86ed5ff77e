/**
 * Adaptive mode through the runner with real models: AI SDK adapters against the local fixture server (real wire
 * format, structured output), a real SQLite store, createRun + executeRun as the CLI uses them.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type AdaptiveMarker,
  ATTACKER_MODEL,
  adaptiveItems,
  askedTurn,
  attackerSubject,
  createAdaptiveHandler,
} from "../../test/support/adaptive-scenario.js";
import { hashValue } from "../core/index.js";
import { benchmarkItemSchema, type VersionedItem } from "../datasets/index.js";
import { loadRubric } from "../judges/index.js";
import { type ChatModel, createChatModel, LocalModelPool, modelSettingsSchema } from "../providers/index.js";
import { type Db, ItemRepository, openStore, ResultRepository, RunRepository } from "../store/index.js";
import { type FixtureRequest, type FixtureServer, startFixtureServer } from "../testing/index.js";
import { createAdaptiveMode } from "./adaptive-mode.js";
import { type RunEventMap, RunEvents } from "./events.js";
import { createRun, executeRun, type RunStores } from "./execute-run.js";
import type { RunContext } from "./run-context.js";

const RUBRIC = loadRubric("jmedethic-safety");

interface ConversationStop {
  itemId: string;
  status: string;
  stopReason: string;
  turns: number;
  detail: string | null;
  errorStatus: number | null;
  attackerId: string | null;
  attackerCalls: number;
}

interface Harness {
  readonly stores: RunStores;
  readonly models: ChatModel[];
  readonly events: RunEvents;
  readonly ended: RunEventMap["conversation-end"][];
  readonly stop: AbortController;
}

let server: FixtureServer;
const open: Harness[] = [];

beforeAll(async () => {
  server = await startFixtureServer({ handler: createAdaptiveHandler() });
});

afterEach(async () => {
  for (const harness of open.splice(0)) {
    await Promise.all(harness.models.map((model) => model.close()));
    harness.stores.db.close();
  }
});

afterAll(async () => {
  await server.close();
});

/** The attacker's price in the test that checks its cost is stored (USD per million tokens). */
const ATTACKER_PRICE = { input: 2, output: 4 };

function model(id: string, name: string): ChatModel {
  const settings = modelSettingsSchema.parse({
    id,
    model: `openai-compatible:${name}`,
    baseURL: server.openaiBaseURL,
    retries: 0,
    ...(id === "red" ? { price: ATTACKER_PRICE } : {}),
  });
  return createChatModel(settings, { env: {}, local: new LocalModelPool() });
}

function harness(): Harness {
  const { db } = openStore(":memory:");
  const stores: RunStores = {
    db,
    runs: new RunRepository(db),
    items: new ItemRepository(db),
    results: new ResultRepository(db),
  };
  const events = new RunEvents();
  const ended: RunEventMap["conversation-end"][] = [];
  events.on("conversation-end", (event) => ended.push(event));
  const made: Harness = { stores, models: [], events, ended, stop: new AbortController() };
  open.push(made);
  return made;
}

async function* versioned(items: readonly object[]): AsyncGenerator<VersionedItem> {
  let line = 0;
  for (const raw of items) {
    line += 1;
    const item = benchmarkItemSchema.parse(raw);
    yield { item, version: hashValue(item), file: "bench.jsonl", line };
  }
}

interface AdaptiveOptions {
  readonly maxTurns?: number;
  readonly stopWhenScoreAtMost?: number;
  readonly resume?: boolean;
  readonly retryErrors?: boolean;
  readonly runId?: string;
}

/** Creates (unless resuming) and executes an adaptive run of `markers` against one target and two judges. */
async function runAdaptive(
  target: Harness,
  markers: readonly AdaptiveMarker[],
  options: AdaptiveOptions = {},
): Promise<string> {
  const runId = options.runId ?? "run-adaptive";
  const make = (id: string, name: string): ChatModel => {
    const made = model(id, name);
    target.models.push(made);
    return made;
  };
  const mode = createAdaptiveMode({
    attacker: { id: "red", model: make("red", ATTACKER_MODEL), sampling: {} },
    ...(options.maxTurns === undefined ? {} : { maxTurns: options.maxTurns }),
    ...(options.stopWhenScoreAtMost === undefined ? {} : { stopWhenScoreAtMost: options.stopWhenScoreAtMost }),
  });
  if (options.resume !== true) {
    await createRun(target.stores, {
      runId,
      config: { mode: "adaptive", attacker: { id: "red" } },
      configHash: "hash",
      datasetSource: "bench.jsonl",
      items: versioned(adaptiveItems(markers)),
      rubrics: [],
      rubricFor: () => ({ id: RUBRIC.rubric.id, version: RUBRIC.rubric.version, hash: "h" }),
      itemRubricsUsed: false,
      packageVersion: "test",
      turnCountOf: mode.turnCountOf,
      checkItem: mode.checkItem,
    });
  }
  const context: RunContext = {
    runId,
    targets: [{ id: "weak", model: make("weak", "weak-model") }],
    judges: [
      { id: "judge-a", model: make("judge-a", "grader-a"), rubric: RUBRIC, sampling: {} },
      { id: "judge-b", model: make("judge-b", "grader-b"), rubric: RUBRIC, sampling: {} },
    ],
    attack: mode.attack,
    adaptive: mode.adaptive,
    rubricFor: () => RUBRIC,
    sink: target.stores.results,
    events: target.events,
    concurrency: 4,
    resume: options.resume === true,
    retryErrors: options.retryErrors === true,
    stopSignal: target.stop.signal,
    abortSignal: new AbortController().signal,
    now: () => new Date("2026-01-01T00:00:00.000Z"),
  };
  await executeRun(target.stores, context);
  return runId;
}

function stops(db: Db, runId: string): ConversationStop[] {
  return db
    .prepare(`SELECT item_id AS itemId, status, stop_reason AS stopReason, turns, detail, error_status AS errorStatus,
      attacker_id AS attackerId, attacker_calls AS attackerCalls FROM conversations WHERE run_id = ? ORDER BY item_id`)
    .all(runId) as ConversationStop[];
}

function userMessages(db: Db, runId: string, itemId: string): string[] {
  return db
    .prepare("SELECT user_message FROM turns WHERE run_id = ? AND item_id = ? ORDER BY turn_index")
    .pluck()
    .all(runId, itemId) as string[];
}

function judgmentCount(db: Db, runId: string, itemId: string): number {
  return db
    .prepare("SELECT COUNT(*) FROM judgments WHERE run_id = ? AND item_id = ?")
    .pluck()
    .get(runId, itemId) as number;
}

function attackerRequests(subject: string): FixtureRequest[] {
  return server.requests.filter((request) => request.model === ATTACKER_MODEL && attackerSubject(request) === subject);
}

describe("adaptive runs (runner, fixture server, SQLite store)", () => {
  it("the attacker gives up at turn 1: one turn, the reason stored, no further call", async () => {
    const target = harness();
    const runId = await runAdaptive(target, ["GIVEUP"]);
    expect(userMessages(target.stores.db, runId, "giveup-0")).toEqual(["GIVEUP-0 opening"]);
    expect(judgmentCount(target.stores.db, runId, "giveup-0")).toBe(2);
    expect(stops(target.stores.db, runId)).toEqual([
      {
        itemId: "giveup-0",
        status: "stopped",
        stopReason: "attacker-gave-up",
        turns: 1,
        detail: "the assistant refused firmly",
        errorStatus: null,
        attackerId: "red",
        attackerCalls: 1,
      },
    ]);
    expect(attackerRequests("GIVEUP-0").map(askedTurn)).toEqual([2]);
    // The attacker's one call is reported with the conversation's end (the budget charges it from there).
    expect(target.ended).toEqual([
      {
        targetId: "weak",
        itemId: "giveup-0",
        stopReason: "attacker-gave-up",
        attacker: {
          calls: 1,
          usage: expect.objectContaining({ inputTokens: expect.any(Number) }),
          costUsd: expect.any(Number),
        },
      },
    ]);
  });

  it("the score threshold stops the conversation after turn 0, without asking the attacker", async () => {
    const target = harness();
    const runId = await runAdaptive(target, ["THRESHOLD"], { stopWhenScoreAtMost: 2, runId: "run-threshold" });
    expect(userMessages(target.stores.db, runId, "threshold-0")).toEqual(["THRESHOLD-0 opening"]);
    expect(judgmentCount(target.stores.db, runId, "threshold-0")).toBe(2);
    expect(stops(target.stores.db, runId)).toEqual([
      expect.objectContaining({
        itemId: "threshold-0",
        status: "stopped",
        stopReason: "score-threshold",
        turns: 1,
        detail: "turn 1 scored 1 ≤ 2",
        attackerCalls: 0,
      }),
    ]);
    expect(attackerRequests("THRESHOLD-0")).toHaveLength(0);
  });

  it("reaches max turns with the attacker writing every turn after the opening, each after the last turn was judged", async () => {
    const target = harness();
    const runId = await runAdaptive(target, ["MAXTURNS"], { maxTurns: 4, stopWhenScoreAtMost: 2, runId: "run-max" });
    const messages = userMessages(target.stores.db, runId, "maxturns-0");
    expect(messages).toHaveLength(4);
    expect(messages[0]).toBe("MAXTURNS-0 opening");
    for (const [index, message] of messages.slice(1).entries())
      expect(message).toMatch(new RegExp(`^ATTACK MAXTURNS-0 turn ${index + 2} #\\d+$`));
    expect(judgmentCount(target.stores.db, runId, "maxturns-0")).toBe(8);
    expect(stops(target.stores.db, runId)).toEqual([
      expect.objectContaining({ stopReason: "max-turns", status: "stopped", turns: 4, attackerCalls: 3 }),
    ]);
    // The attacker's three calls are priced at its binding's price and stored with the conversation.
    const attacker = target.stores.db
      .prepare(`SELECT attacker_input_tokens AS input, attacker_output_tokens AS output, attacker_cost_usd AS cost
        FROM conversations WHERE run_id = ?`)
      .get(runId) as { input: number; output: number; cost: number | null };
    expect(attacker.input).toBeGreaterThan(0);
    expect(attacker.cost).toBeCloseTo(
      (attacker.input * ATTACKER_PRICE.input + attacker.output * ATTACKER_PRICE.output) / 1e6,
      15,
    );
    // conversation-end carries the same calls, tokens and cost as the stored conversation.
    expect(target.ended).toEqual([
      expect.objectContaining({
        attacker: {
          calls: 3,
          usage: expect.objectContaining({ inputTokens: attacker.input, outputTokens: attacker.output }),
          costUsd: attacker.cost,
        },
      }),
    ]);
    expect(target.stores.db.prepare("SELECT turn_count FROM run_items WHERE run_id = ?").pluck().get(runId)).toBe(4);
    // The attacker's request for turn n+1 comes after both verdicts on turn n, and shows the target's real reply.
    const requests = server.requests;
    for (const attackerRequest of attackerRequests("MAXTURNS-0")) {
      const position = requests.indexOf(attackerRequest);
      const turn = (askedTurn(attackerRequest) ?? 0) - 1;
      const verdicts = requests.filter(
        (request) =>
          request.model.startsWith("grader-") &&
          request.messages[0]?.content.includes(`[weak-model] reply ${turn}`) &&
          request.messages[0].content.includes("MAXTURNS-0"),
      );
      expect(verdicts.length).toBeGreaterThanOrEqual(2);
      for (const verdict of verdicts.slice(0, 2)) expect(requests.indexOf(verdict)).toBeLessThan(position);
      expect(attackerRequest.messages[0]?.content).toContain(`[weak-model] reply ${turn}`);
    }
  });

  it("records attacker failures as errors: a failed call (attacker-error) and answers that stay invalid (attacker-invalid)", async () => {
    const target = harness();
    const runId = await runAdaptive(target, ["FAIL", "INVALID"], { runId: "run-failures" });
    expect(stops(target.stores.db, runId)).toEqual([
      expect.objectContaining({
        itemId: "fail-0",
        status: "error",
        stopReason: "attacker-error",
        turns: 1,
        errorStatus: 500,
        attackerCalls: 1,
      }),
      expect.objectContaining({
        itemId: "invalid-1",
        status: "error",
        stopReason: "attacker-invalid",
        turns: 1,
        attackerCalls: 3,
        detail: expect.stringContaining("no JSON object"),
      }),
    ]);
    expect(userMessages(target.stores.db, runId, "invalid-1")).toEqual(["INVALID-1 opening"]);
  });

  it("resumes an interrupted run from its stored turns: stored attacker messages are reused, never asked again", async () => {
    const target = harness();
    const markers: AdaptiveMarker[] = Array.from({ length: 6 }, () => "MAXTURNS");
    let turnsSeen = 0;
    target.events.on("turn-end", () => {
      turnsSeen += 1;
      if (turnsSeen === 7) target.stop.abort();
    });
    const runId = await runAdaptive(target, markers, { runId: "run-resume" });
    expect(target.stores.runs.get(runId)?.status).toBe("cancelled");
    const before = new Map(
      adaptiveItems(markers).map((raw) => {
        const id = (raw as { id: string }).id;
        return [id, userMessages(target.stores.db, runId, id)] as const;
      }),
    );
    const storedAttackerTurns = [...before.values()].reduce(
      (sum, messages) => sum + Math.max(0, messages.length - 1),
      0,
    );
    expect(storedAttackerTurns).toBeGreaterThan(0);
    const requestsBefore = server.requests.length;

    const resumed: Harness = { ...harness(), stores: target.stores };
    open.pop();
    await runAdaptive(resumed, markers, { runId, resume: true });

    expect(target.stores.runs.get(runId)?.status).toBe("success");
    const newAttackerRequests = server.requests
      .slice(requestsBefore)
      .filter((request) => request.model === ATTACKER_MODEL);
    for (const [itemId, messages] of before) {
      const after = userMessages(target.stores.db, runId, itemId);
      expect(after).toHaveLength(3);
      expect(after.slice(0, messages.length)).toEqual(messages);
      const subject = after[0]?.replace(" opening", "") ?? "";
      const askedAgain = newAttackerRequests
        .filter((request) => attackerSubject(request) === subject)
        .map((request) => (askedTurn(request) ?? 0) - 1);
      for (const turn of askedAgain) expect(turn).toBeGreaterThanOrEqual(messages.length);
    }
    expect(stops(target.stores.db, runId).map((stop) => stop.stopReason)).toEqual(
      Array.from({ length: 6 }, () => "max-turns"),
    );
    const keys = target.stores.db
      .prepare("SELECT COUNT(*) AS rows, COUNT(DISTINCT key) AS distinctKeys FROM turns WHERE run_id = ?")
      .get(runId);
    expect(keys).toEqual({ rows: 18, distinctKeys: 18 });

    // Resuming a finished run makes no call at all: give-ups and stops are reused too.
    const requestsAfter = server.requests.length;
    const again: Harness = { ...harness(), stores: target.stores };
    open.pop();
    await runAdaptive(again, markers, { runId, resume: true });
    expect(server.requests.length).toBe(requestsAfter);
  });

  it("a finished give-up is not asked again on resume; a stored attacker error is, with retryErrors", async () => {
    const target = harness();
    const runId = await runAdaptive(target, ["GIVEUP", "FAIL"], { runId: "run-resume-stops" });
    const requestsBefore = server.requests.length;
    const resumed: Harness = { ...harness(), stores: target.stores };
    open.pop();
    await runAdaptive(resumed, ["GIVEUP", "FAIL"], { runId, resume: true });
    expect(server.requests.length).toBe(requestsBefore);
    await runAdaptive(resumed, ["GIVEUP", "FAIL"], { runId, resume: true, retryErrors: true });
    const retried = server.requests.slice(requestsBefore);
    expect(retried.map((request) => attackerSubject(request))).toEqual(["FAIL-1"]);
    expect(stops(target.stores.db, runId).map((stop) => stop.stopReason)).toEqual([
      "attacker-error",
      "attacker-gave-up",
    ]);
  });

  it("rejects at run creation an item whose strategy is not in the library, naming the file and line", async () => {
    const target = harness();
    const mode = createAdaptiveMode({ attacker: { id: "red", model: model("red", ATTACKER_MODEL), sampling: {} } });
    const items = [{ ...adaptiveItems(["MAXTURNS"])[0], strategy: "no-such-strategy" }];
    await expect(
      createRun(target.stores, {
        runId: "run-bad",
        config: {},
        configHash: "h",
        datasetSource: "bench.jsonl",
        items: versioned(items),
        rubrics: [],
        rubricFor: () => ({ id: "jmedethic-safety", version: "1", hash: "h" }),
        itemRubricsUsed: false,
        packageVersion: "test",
        checkItem: mode.checkItem,
      }),
    ).rejects.toThrow(/bench\.jsonl:1 \(field "strategy"\): item "maxturns-0": unknown strategy "no-such-strategy"/);
    expect(target.stores.runs.get("run-bad")).toBeUndefined();
  });
});
