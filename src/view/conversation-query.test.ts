import { describe, expect, it } from "vitest";
import { type Db, ItemRepository, openStore, RunRepository } from "../store/index.js";
import {
  type ConversationFilter,
  contradictory,
  type QueryContext,
  queryConversations,
  selectItems,
} from "./conversation-query.js";
import { decodeCursor, encodeCursor, filterQuery, parseFilter } from "./filter-params.js";

const RUN = "run-1";
const TARGETS = ["t-b", "t-a"];

/** 6 items (3 ja/en pairs) × 2 targets × 2 turns, two judges; scores chosen so each filter picks known conversations. */
function smallStore(): Db {
  const { db } = openStore(":memory:");
  new RunRepository(db).create({
    id: RUN,
    config: { targets: TARGETS.map((id) => ({ id, apiKeyEnv: "SECRET_ENV" })), judges: [{ id: "j1" }, { id: "j2" }] },
    configHash: "h",
    datasetSource: "test",
    datasetHash: "d",
    itemCount: 6,
    packageVersion: "0",
    rubrics: [{ id: "jmedethic-safety", version: "1", hash: "x", scale: { min: 0, max: 10, higherIsSafer: true } }],
  });
  const items = Array.from({ length: 6 }, (_, index) => ({
    id: `item-${index}`,
    version: `v${index}`,
    language: index % 2 === 0 ? "ja" : "en",
    pairId: `p${index >> 1}`,
    guidelineId: index < 3 ? "jma-01" : "jma-02",
    strategy: index % 3 === 0 ? "decomposition" : "clinical-authority",
    turnCount: 2,
    json: "{}",
  }));
  new ItemRepository(db).addBatch(RUN, 0, items);
  const turn =
    db.prepare(`INSERT INTO turns (key, run_id, item_id, target_id, turn_index, epoch, status, user_message, response_text, input_tokens, output_tokens, latency_ms, cached, attempts, created_at)
    VALUES (?, ?, ?, ?, ?, 0, ?, 'u', 'r', 1, 1, 1, 0, 1, 'now')`);
  const judgment =
    db.prepare(`INSERT INTO judgments (key, turn_key, run_id, item_id, target_id, turn_index, judge_id, status, score, rubric_id, rubric_version, input_tokens, output_tokens, latency_ms, cached, attempts, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'jmedethic-safety', '1', 1, 1, 1, 0, 1, 'now')`);
  for (const target of TARGETS) {
    items.forEach((item, index) => {
      for (const turnIndex of [0, 1]) {
        const key = `${target}/${item.id}/${turnIndex}`;
        // item-5 of t-a fails at turn 1; item-4 of t-b turn 1 is unscored; item-2's turn 1 has judges 2 and 9 apart.
        const failed = target === "t-a" && index === 5 && turnIndex === 1;
        turn.run(key, RUN, item.id, target, turnIndex, failed ? "error" : "success");
        if (failed) continue;
        const unscored = target === "t-b" && index === 4 && turnIndex === 1;
        const scores = index === 2 && turnIndex === 1 ? [2, 9] : [index + turnIndex, index + turnIndex];
        for (const [judge, score] of scores.entries())
          judgment.run(
            `${key}/${judge}`,
            key,
            RUN,
            item.id,
            target,
            turnIndex,
            `j${judge + 1}`,
            unscored ? "unscored" : "scored",
            unscored ? null : score,
          );
      }
    });
  }
  return db;
}

function context(db: Db, filter: ConversationFilter): QueryContext {
  return {
    db,
    runId: RUN,
    targets: TARGETS,
    rubrics: ["jmedethic-safety"],
    items: selectItems(db, RUN, filter),
    runItemCount: 6,
  };
}

function all(db: Db, filter: ConversationFilter, chunkSize?: number): string[] {
  const page = queryConversations(context(db, filter), filter, {
    pageSize: 100,
    budgetMs: 10_000,
    ...(chunkSize === undefined ? {} : { chunkSize }),
  });
  return page.rows.map((row) => `${row.targetId}/${row.itemId}`);
}

describe("conversation filters → SQL", () => {
  // The filters' SQL (named parameters, values never in the SQL text) is tested in store/conversation-filter-queries.test.ts.
  it("knows filters that cannot match", () => {
    expect(contradictory({ state: "error", minScore: 1 })).toBe(true);
    expect(contradictory({ minScore: 5, maxScore: 4 })).toBe(true);
    expect(contradictory({ minScore: 1, maxScore: 4 })).toBe(false);
  });

  it("the query string round-trips, malformed values dropped", () => {
    const params: Record<string, string> = {
      target: "t-a",
      min: "1.5",
      max: "abc",
      disagreement: "3",
      state: "bogus",
      language: " ja ",
    };
    const filter = parseFilter((name) => params[name]);
    expect(filter).toEqual({ target: "t-a", minScore: 1.5, disagreement: 3, language: "ja" });
    expect(filterQuery(filter)).toMatchObject({ target: "t-a", min: 1.5, disagreement: 3, language: "ja" });
    expect(decodeCursor(encodeCursor({ targetId: "t", itemId: "i" }))).toEqual({ targetId: "t", itemId: "i" });
    expect(decodeCursor("no-newline")).toBeUndefined();
  });

  it("each filter selects the expected conversations, in target (config) then item order, in every scan mode", () => {
    const db = smallStore();
    expect(all(db, {})).toHaveLength(12);
    expect(all(db, {}).slice(0, 2)).toEqual(["t-b/item-0", "t-b/item-1"]);
    expect(all(db, { target: "t-a", language: "en" })).toEqual(["t-a/item-1", "t-a/item-3", "t-a/item-5"]);
    expect(all(db, { strategy: "decomposition", guideline: "jma-01" })).toEqual(["t-b/item-0", "t-a/item-0"]);
    // Turn score means: item i turn t → i + t (item-2 turn 1: (2 + 9) / 2 = 5.5; t-b item-4 turn 1 unscored).
    for (const chunkSize of [1, 2, 100]) {
      expect(all(db, { minScore: 5, maxScore: 5.5 }, chunkSize)).toEqual([
        "t-b/item-2",
        "t-b/item-5",
        "t-a/item-2",
        "t-a/item-4",
        "t-a/item-5",
      ]);
      expect(all(db, { disagreement: 7 }, chunkSize)).toEqual(["t-b/item-2", "t-a/item-2"]);
      expect(all(db, { state: "error" }, chunkSize)).toEqual(["t-a/item-5"]);
      expect(all(db, { state: "unscored" }, chunkSize)).toEqual(["t-b/item-4"]);
      expect(all(db, { language: "ja", maxScore: 2 }, chunkSize)).toEqual([
        "t-b/item-0",
        "t-b/item-2",
        "t-a/item-0",
        "t-a/item-2",
      ]);
      expect(all(db, { language: "en", state: "error" }, chunkSize)).toEqual(["t-a/item-5"]);
    }
    expect(all(db, { state: "error", minScore: 0 })).toEqual([]);
  });

  it("pages forward and back by keyset; a first page that sees everything knows the total", () => {
    const db = smallStore();
    const filter: ConversationFilter = {};
    const query = context(db, filter);
    const first = queryConversations(query, filter, { pageSize: 5, budgetMs: 10_000 });
    expect(first.rows.map((row) => row.itemId)).toEqual(["item-0", "item-1", "item-2", "item-3", "item-4"]);
    expect(first.previous).toBeNull();
    expect(first.total).toBeNull();
    expect(first.scope).toBe(12);
    const second = queryConversations(query, filter, {
      pageSize: 5,
      budgetMs: 10_000,
      ...(first.next === null ? {} : { after: first.next }),
    });
    expect(second.rows.map((row) => `${row.targetId}/${row.itemId}`)).toEqual([
      "t-b/item-5",
      "t-a/item-0",
      "t-a/item-1",
      "t-a/item-2",
      "t-a/item-3",
    ]);
    const back = queryConversations(query, filter, {
      pageSize: 5,
      budgetMs: 10_000,
      ...(second.previous === null ? {} : { before: second.previous }),
    });
    expect(back.rows).toEqual(first.rows);
    expect(back.previous).toBeNull();
    const third = queryConversations(query, filter, {
      pageSize: 5,
      budgetMs: 10_000,
      ...(second.next === null ? {} : { after: second.next }),
    });
    expect(third.rows.map((row) => row.itemId)).toEqual(["item-4", "item-5"]);
    expect(third.next).toBeNull();
    const whole = queryConversations(context(db, { minScore: 5 }), { minScore: 5 }, { pageSize: 50, budgetMs: 10_000 });
    expect(whole.total).toBe(5);
  });

  it("a search out of time answers with what it found and a cursor where it paused", () => {
    const db = smallStore();
    let clock = 0;
    const filter: ConversationFilter = { disagreement: 7 };
    const page = queryConversations(context(db, filter), filter, {
      pageSize: 50,
      budgetMs: 5,
      chunkSize: 2,
      now: () => (clock += 10),
    });
    expect(page.complete).toBe(false);
    expect(page.rows.map((row) => row.itemId)).toEqual([]);
    expect(page.next).toEqual({ targetId: "t-b", itemId: "item-1" });
    let resumed = page;
    const seen: string[] = [];
    while (resumed.next !== null) {
      resumed = queryConversations(context(db, filter), filter, {
        pageSize: 50,
        budgetMs: 5,
        chunkSize: 2,
        after: resumed.next,
        now: () => (clock += 10),
      });
      seen.push(...resumed.rows.map((row) => `${row.targetId}/${row.itemId}`));
    }
    expect(seen).toEqual(["t-b/item-2", "t-a/item-2"]);
  });
});
