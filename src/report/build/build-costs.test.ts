/**
 * The report's costs from a store whose cost columns are set by hand (as the runner stores them since migration 10):
 * exact totals by role, target, judge and conversation; unpriced calls counted and never summed as 0; the attacker's
 * calls of adaptive conversations; judgments on another rubric. (Report threads: test/e2e/report-costs.test.ts.)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PRICED_RUN_ID, writePricedRun } from "../../../test/support/priced-store.js";
import { type Db, openStore, RunRepository } from "../../store/index.js";
import { buildRunReport } from "./build-report.js";

const stores: string[] = [];
afterEach(() => {
  for (const dir of stores.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function costsOf(threads: number, adjust: (db: Db) => void = () => {}) {
  const dir = mkdtempSync(join(tmpdir(), "medsafety-costs-"));
  stores.push(dir);
  const { db } = openStore(join(dir, "store.db"));
  try {
    writePricedRun(db);
    adjust(db);
    const run = new RunRepository(db).get(PRICED_RUN_ID);
    if (run === undefined) throw new Error("run not stored");
    return (await buildRunReport(db, run, { passThreshold: 2, threads })).costs;
  } finally {
    db.close();
  }
}

describe("report costs", () => {
  it("sums priced calls exactly and counts unpriced ones, by role, target, judge and conversation", async () => {
    const costs = await costsOf(1);
    // Targets: t1 4 turns × $0.25; t2 $0.5 + $0.125, 2 turns unpriced.
    expect(costs.byTarget).toEqual([
      {
        targetId: "t1",
        calls: 4,
        pricedCalls: 4,
        unpricedCalls: 0,
        costUsd: 1,
        inputTokens: 120,
        cachedInputTokens: 40,
        cacheWriteTokens: 0,
        outputTokens: 80,
        batchedCalls: 0,
      },
      {
        targetId: "t2",
        calls: 4,
        pricedCalls: 2,
        unpricedCalls: 2,
        costUsd: 0.625,
        inputTokens: 120,
        cachedInputTokens: 0,
        cacheWriteTokens: 0,
        outputTokens: 80,
        batchedCalls: 0,
      },
    ]);
    // Judges: 8 turns each (both rubrics); ja 8 × $0.0625; jb never priced: null, not 0.
    expect(costs.byJudge).toEqual([
      {
        judgeId: "ja",
        calls: 8,
        pricedCalls: 8,
        unpricedCalls: 0,
        costUsd: 0.5,
        inputTokens: 4000,
        cachedInputTokens: 800,
        cacheWriteTokens: 56,
        outputTokens: 40,
        batchedCalls: 8,
      },
      {
        judgeId: "jb",
        calls: 8,
        pricedCalls: 0,
        unpricedCalls: 8,
        costUsd: null,
        inputTokens: 4000,
        cachedInputTokens: 0,
        cacheWriteTokens: 0,
        outputTokens: 40,
        batchedCalls: 0,
      },
    ]);
    expect(costs.byRole.attacker).toEqual({
      calls: 3,
      pricedCalls: 2,
      unpricedCalls: 1,
      costUsd: 0.375,
      inputTokens: 120,
      cachedInputTokens: 4,
      cacheWriteTokens: 0,
      outputTokens: 30,
      batchedCalls: 0,
    });
    expect(costs.byRole.target.costUsd).toBe(1.625);
    expect(costs.byRole.judge).toMatchObject({ calls: 16, unpricedCalls: 8, costUsd: 0.5 });
    expect(costs.total).toMatchObject({
      calls: 8 + 16 + 3,
      pricedCalls: 6 + 8 + 2,
      unpricedCalls: 2 + 8 + 1,
      costUsd: 1.625 + 0.5 + 0.375,
      inputTokens: 240 + 8000 + 120,
      batchedCalls: 8,
    });
  });

  it("per conversation: turns + their judgments (every rubric) + attacker; only fully priced ones in the statistics", async () => {
    const costs = await costsOf(1);
    const [t1, t2] = costs.conversations;
    // t1 item-1: 2 turns $0.5, 4 judgments (2 priced $0.125, 2 unpriced), attacker $0.375 → $1 priced, 2 unpriced.
    // t1 item-2: $0.25 + $0.0625, jb unpriced, attacker 1 unpriced; item-3 (helpfulness): $0.25 + $0.0625, jb unpriced.
    expect(t1).toMatchObject({
      targetId: "t1",
      itemIds: ["item-1", "item-2", "item-3"],
      costUsd: [1, 0.3125, 0.3125],
      calls: [8, 4, 3],
      unpricedCalls: [2, 2, 1],
    });
    // Every conversation has an unpriced judge call: none is in the statistics, and nothing is printed as $0.
    expect(t1?.distribution).toEqual({
      conversations: 3,
      priced: 0,
      unpriced: 3,
      mean: null,
      median: null,
      p90: null,
      max: null,
      total: null,
    });
    expect(t2).toMatchObject({ itemIds: ["item-1", "item-2", "item-3"], costUsd: [0.625, 0.0625, 0.1875] });
    expect(t2?.unpricedCalls).toEqual([3, 2, 1]);
  });

  it("the distribution of fully priced conversations: mean, median, p90 (type 7), max, total", async () => {
    const costs = await costsOf(1, (db) => {
      db.prepare("UPDATE judgments SET cost_usd = 0.0625 WHERE judge_id = 'jb'").run();
      db.prepare("UPDATE conversations SET attacker_cost_usd = 0.125 WHERE key = 'conversation/item-2'").run();
    });
    const [t1, t2] = costs.conversations;
    // t1: item-1 $0.5 + 4 × $0.0625 + $0.375 = $1.125; item-2 $0.25 + $0.125 + $0.125 = $0.5; item-3 $0.375.
    expect(t1?.costUsd).toEqual([1.125, 0.5, 0.375]);
    expect(t1?.distribution).toEqual({
      conversations: 3,
      priced: 3,
      unpriced: 0,
      mean: 2 / 3,
      median: 0.5,
      p90: 1,
      max: 1.125,
      total: 2,
    });
    // t2: item-1 and item-2 hold an unpriced turn; item-3 $0.125 + 2 × $0.0625.
    expect(t2?.distribution).toEqual({
      conversations: 3,
      priced: 1,
      unpriced: 2,
      mean: 0.25,
      median: 0.25,
      p90: 0.25,
      max: 0.25,
      total: 0.25,
    });
    expect(costs.byJudge.map((judge) => judge.costUsd)).toEqual([0.5, 0.5]);
  });

  it("a run stored before prices existed: every call unpriced, no USD anywhere", async () => {
    const costs = await costsOf(1, (db) => {
      db.prepare("UPDATE turns SET cost_usd = NULL").run();
      db.prepare("UPDATE judgments SET cost_usd = NULL").run();
      db.prepare("UPDATE conversations SET attacker_cost_usd = NULL").run();
    });
    expect(costs.total).toMatchObject({ calls: 27, pricedCalls: 0, unpricedCalls: 27, costUsd: null });
    for (const row of [...costs.byTarget, ...costs.byJudge]) expect(row.costUsd).toBeNull();
    for (const target of costs.conversations) {
      expect(target.costUsd.every((cost) => cost === null)).toBe(true);
      expect(target.distribution).toMatchObject({ priced: 0, total: null });
    }
  });
});
