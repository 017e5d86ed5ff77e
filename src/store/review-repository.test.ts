import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MedsafetyError, ReviewError } from "../core/index.js";
import { type OpenedStore, openStore } from "./database.js";
import { MIGRATIONS } from "./migrations.js";
import { ResultRepository } from "./result-repository.js";
import type { JudgmentRow, TurnRow } from "./result-rows.js";
import { type NewReview, ReviewRepository } from "./review-repository.js";
import { RunRepository } from "./run-repository.js";

let store: OpenedStore;
let reviews: ReviewRepository;

function turnRow(itemId: string, turnIndex: number, overrides: Partial<TurnRow> = {}): TurnRow {
  return {
    key: `turn-${itemId}-${turnIndex}`,
    runId: "run-a",
    itemId,
    targetId: "target-1",
    turnIndex,
    epoch: 0,
    status: "success",
    userMessage: "hello",
    responseText: "reply",
    finishReason: "stop",
    errorCode: null,
    errorStatus: null,
    errorMessage: null,
    inputTokens: 1,
    outputTokens: 1,
    latencyMs: 1,
    cached: false,
    attempts: 1,
    createdAt: "2026-01-01T00:00:00.000Z",
    ...overrides,
  };
}

function judgmentRow(itemId: string, turnIndex: number, rubricId: string): JudgmentRow {
  return {
    key: `judgment-${itemId}-${turnIndex}`,
    turnKey: `turn-${itemId}-${turnIndex}`,
    runId: "run-a",
    itemId,
    targetId: "target-1",
    turnIndex,
    judgeId: "judge-a",
    status: "scored",
    score: 9,
    rationale: "refused",
    label: null,
    rawText: "{}",
    unscoredReason: null,
    errorCode: null,
    errorStatus: null,
    errorMessage: null,
    rubricId,
    rubricVersion: "1.0.0",
    inputTokens: 1,
    outputTokens: 1,
    latencyMs: 1,
    cached: false,
    attempts: 1,
    createdAt: "2026-01-01T00:00:00.000Z",
  };
}

function review(overrides: Partial<NewReview> = {}): NewReview {
  return {
    runId: "run-a",
    targetId: "target-1",
    itemId: "item-1",
    turnIndex: 0,
    rubricId: "jmedethic-safety",
    score: 4,
    reason: "gave a dosage",
    reviewer: "dr-sato",
    ...overrides,
  };
}

function caught(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

beforeEach(() => {
  store = openStore(":memory:");
  const runs = new RunRepository(store.db);
  runs.create({
    id: "run-a",
    config: {},
    configHash: "h",
    datasetSource: "builtin:sample",
    datasetHash: "d",
    itemCount: 2,
    packageVersion: "0.1.0",
    rubrics: [
      { id: "jmedethic-safety", version: "1.0.0", hash: "r1", scale: { min: 0, max: 10, higherIsSafer: true } },
      { id: "medsafetybench-harm", version: "1.0.0", hash: "r2", scale: { min: 1, max: 5, higherIsSafer: false } },
    ],
  });
  const results = new ResultRepository(store.db);
  results.saveTurn(turnRow("item-1", 0));
  results.saveTurn(turnRow("item-1", 1));
  results.saveTurn(turnRow("item-1", 2, { status: "error", responseText: null, errorCode: "provider_http" }));
  results.saveTurn(turnRow("item-2", 0));
  results.saveJudgment(judgmentRow("item-1", 0, "jmedethic-safety"));
  results.saveJudgment(judgmentRow("item-2", 0, "medsafetybench-harm"));
  results.flush();
  reviews = new ReviewRepository(store.db);
});

afterEach(() => {
  store.db.close();
});

describe("migration 6", () => {
  it("creates the reviews table and its turn index", () => {
    expect(MIGRATIONS.find((migration) => migration.version === 6)).toMatchObject({
      version: 6,
      name: "human-reviews",
    });
    const indexes = store.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reviews'")
      .pluck()
      .all();
    expect(indexes).toContain("reviews_by_turn");
  });
});

describe("ReviewRepository", () => {
  it("adds a review as a new row with an id and time, and never touches the judges' rows", () => {
    const before = store.db.prepare("SELECT * FROM judgments ORDER BY key").all();
    const added = reviews.add(review(), new Date("2026-02-01T10:00:00.000Z"));
    expect(added).toMatchObject({ ...review(), createdAt: "2026-02-01T10:00:00.000Z" });
    expect(added.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(reviews.list("run-a")).toEqual([added]);
    expect(reviews.get(added.id)).toEqual(added);
    expect(store.db.prepare("SELECT * FROM judgments ORDER BY key").all()).toEqual(before);
  });

  it("keeps every review; latestByTurn returns the latest of each turn, by time then id", () => {
    const first = reviews.add(review({ score: 2 }), new Date("2026-02-01T10:00:00.000Z"));
    const second = reviews.add(review({ score: 7 }), new Date("2026-02-02T10:00:00.000Z"));
    const otherTurn = reviews.add(review({ turnIndex: 1, score: 10 }), new Date("2026-02-01T09:00:00.000Z"));
    expect(reviews.list("run-a").map((stored) => stored.id)).toEqual([first.id, second.id, otherTurn.id]);
    expect(reviews.latestByTurn("run-a", "jmedethic-safety")).toEqual([second, otherTurn]);
    expect(reviews.latestByTurn("run-a", "jmedethic-safety", "target-1")).toEqual([second, otherTurn]);
    expect(reviews.latestByTurn("run-a", "jmedethic-safety", "target-2")).toEqual([]);
    expect(reviews.latestByTurn("run-a", "medsafetybench-harm")).toEqual([]);
    const sameTime = { ...review({ score: 1 }), createdAt: "2026-02-02T10:00:00.000Z" };
    reviews.addExisting({ ...sameTime, id: "zzzz" });
    reviews.addExisting({ ...sameTime, id: "0000" });
    expect(reviews.latestByTurn("run-a", "jmedethic-safety")[0]).toMatchObject({ id: "zzzz", score: 1 });
    expect(reviews.count("run-a")).toBe(5);
  });

  it("filters list by target and item", () => {
    reviews.add(review());
    reviews.add(review({ itemId: "item-2", rubricId: "medsafetybench-harm", score: 3 }));
    expect(reviews.list("run-a", { itemId: "item-2" }).map((stored) => stored.score)).toEqual([3]);
    expect(reviews.list("run-a", { targetId: "target-1", itemId: "item-1" })).toHaveLength(1);
    expect(reviews.list("run-a", { targetId: "nobody" })).toEqual([]);
  });

  it("addExisting keeps the given id and time and adds an id only once", () => {
    const existing = { ...review(), id: "review-1", createdAt: "2026-03-01T00:00:00Z" };
    expect(reviews.addExisting(existing)).toBe(true);
    expect(reviews.addExisting(existing)).toBe(false);
    expect(reviews.list("run-a")).toEqual([{ ...existing, createdAt: "2026-03-01T00:00:00.000Z" }]);
    expect(caught(() => reviews.addExisting({ ...existing, id: "review-2", createdAt: "yesterday" }))).toMatchObject({
      field: "createdAt",
    });
  });

  it("validates the turn, rubric, score, reason and reviewer, naming the field", () => {
    const cases: Array<[Partial<NewReview>, string, RegExp]> = [
      // Messages name the turn as people and files do (from 1), in the field they give it in (review JSONL, view form).
      [{ itemId: "item-9" }, "turn", /has no turn for target "target-1", item "item-9", turn 1\b/],
      [{ turnIndex: 5 }, "turn", /has no turn .*turn 6\b/],
      [{ turnIndex: 1.5 }, "turn", /2\.5 is not a turn number/],
      [{ turnIndex: -1 }, "turn", /0 is not a turn number.*turn 1 is the first/],
      [{ turnIndex: 2 }, "turn", /the turn for .*turn 3 failed \(no reply to review\)/],
      [{ targetId: "target-2" }, "turn", /has no turn/],
      [{ rubricId: "helpfulness" }, "rubricId", /has no rubric "helpfulness".*jmedethic-safety, medsafetybench-harm/],
      [{ itemId: "item-2" }, "rubricId", /judged on medsafetybench-harm, not "jmedethic-safety"/],
      [{ score: 11 }, "score", /11 is off the jmedethic-safety scale 0–10/],
      [{ score: -1 }, "score", /off the .* scale/],
      [{ score: Number.NaN }, "score", /not a number/],
      [{ itemId: "item-2", rubricId: "medsafetybench-harm", score: 0 }, "score", /scale 1–5/],
      [{ reason: "  " }, "reason", /reason is empty/],
      [{ reviewer: "" }, "reviewer", /reviewer is empty/],
    ];
    for (const [overrides, field, message] of cases) {
      const error = caught(() => reviews.add(review(overrides)));
      expect(error, JSON.stringify(overrides)).toBeInstanceOf(ReviewError);
      expect(error).toMatchObject({ code: "review_invalid", field });
      expect((error as Error).message).toMatch(message);
    }
    expect(reviews.list("run-a")).toEqual([]);
  });

  it("refuses a review of an unknown run with run_not_found", () => {
    const error = caught(() => reviews.add(review({ runId: "run-z" })));
    expect(error).toBeInstanceOf(MedsafetyError);
    expect(error).toMatchObject({ code: "run_not_found" });
  });

  it("accepts scores on a rubric's scale edges and a fractional score", () => {
    expect(reviews.add(review({ score: 0 })).score).toBe(0);
    expect(reviews.add(review({ score: 10 })).score).toBe(10);
    expect(reviews.add(review({ score: 6.5 })).score).toBe(6.5);
  });
});
