import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inputErrorOf as caught } from "../../test/support/input-error.js";
import {
  type OpenedStore,
  openStore,
  ResultRepository,
  ReviewRepository,
  RunRepository,
  type TurnRow,
} from "../store/index.js";
import { importReviews } from "./actions/reviews.js";
import { differingField, formatReviewLine, parseReviewLine, parseReviewLines, reviewOfLine } from "./review-lines.js";

/** A hand-written line: `turn` numbers turns from 1 (turn 1 is stored as turn index 0). */
const LINE = { targetId: "t1", itemId: "item-1", turn: 1, score: 3, reason: "gave the dose", reviewer: "dr-sato" };

describe("parseReviewLine", () => {
  it("reads a minimal line, defaulting the rubric", () => {
    expect(parseReviewLine("r.jsonl", 1, JSON.stringify(LINE))).toEqual({ ...LINE, rubricId: "jmedethic-safety" });
  });

  it("names file, line and field of a bad line", () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ ...LINE, score: "high" }, "score", /expected number/],
      [{ ...LINE, turn: 0 }, "turn", /./],
      [{ ...LINE, turn: 1.5 }, "turn", /./],
      [{ ...LINE, reason: "   " }, "reason", /the reason is empty/],
      [{ ...LINE, reviewer: "" }, "reviewer", /the reviewer is empty/],
      [{ ...LINE, createdAt: "tuesday" }, "createdAt", /./],
      [{ ...LINE, colour: "red" }, "colour", /unknown field\(s\) "colour"/],
      [{ targetId: "t1" }, "itemId", /./],
    ];
    for (const [value, field, message] of cases) {
      const error = caught(() => parseReviewLine("r.jsonl", 7, JSON.stringify(value)));
      expect(error.location).toEqual({ file: "r.jsonl", line: 7, field });
      expect(error.message).toMatch(new RegExp(`^r\\.jsonl:7 \\(field "${field}"\\): `));
      expect(error.message).toMatch(message);
    }
    expect(caught(() => parseReviewLine("r.jsonl", 2, "{not json")).message).toMatch(/^r\.jsonl:2: not valid JSON/);
  });

  it("refuses a line of the old format (turnIndex, 0-based), saying how to convert it", () => {
    const error = caught(() =>
      parseReviewLine(
        "old.jsonl",
        4,
        JSON.stringify({ targetId: "t1", itemId: "item-1", turnIndex: 0, score: 3, reason: "r", reviewer: "me" }),
      ),
    );
    expect(error.location).toEqual({ file: "old.jsonl", line: 4, field: "turnIndex" });
    expect(error.message).toMatch(
      /^old\.jsonl:4 \(field "turnIndex"\): turnIndex \(0-based\) was replaced by turn \(1-based\): add 1 and rename the field\b/,
    );
    expect(error.message).not.toMatch(/\n/);
    // Even next to a turn field: the two must not both be read.
    expect(
      caught(() => parseReviewLine("old.jsonl", 1, JSON.stringify({ ...LINE, turnIndex: 0 }))).location.field,
    ).toBe("turnIndex");
  });

  it("reads turn 1 as the stored turn index 0", () => {
    expect(reviewOfLine(parseReviewLine("r", 1, JSON.stringify(LINE)), "run-a", new Date(0)).turnIndex).toBe(0);
    expect(
      reviewOfLine(parseReviewLine("r", 1, JSON.stringify({ ...LINE, turn: 3 })), "run-a", new Date(0)).turnIndex,
    ).toBe(2);
  });

  it("counts lines, skipping blank ones", () => {
    const text = `${JSON.stringify(LINE)}\n\n${JSON.stringify({ ...LINE, turn: 2 })}\r\n`;
    expect(parseReviewLines("r.jsonl", text).map((read) => read.line)).toEqual([1, 3]);
    expect(caught(() => parseReviewLines("r.jsonl", `${JSON.stringify(LINE)}\n{}`)).location.line).toBe(2);
  });
});

describe("reviewOfLine and formatReviewLine", () => {
  const now = new Date("2026-04-01T00:00:00.000Z");

  it("hashes an id from the content when the line has none, stable across imports", () => {
    const line = parseReviewLine("r", 1, JSON.stringify(LINE));
    const first = reviewOfLine(line, "run-a", now);
    const again = reviewOfLine(line, "run-a", new Date("2027-01-01T00:00:00.000Z"));
    expect(first.id).toMatch(/^review-[0-9a-f]{32}$/);
    expect(again.id).toBe(first.id);
    expect(first.createdAt).toBe("2026-04-01T00:00:00.000Z");
    expect(reviewOfLine({ ...line, score: 4 }, "run-a", now).id).not.toBe(first.id);
    expect(reviewOfLine(line, "run-b", now).id).not.toBe(first.id);
  });

  it("keeps a given id and normalises a given time", () => {
    const line = parseReviewLine("r", 1, JSON.stringify({ ...LINE, id: "x1", createdAt: "2026-01-02T03:04:05+09:00" }));
    expect(reviewOfLine(line, "run-a", now)).toMatchObject({ id: "x1", createdAt: "2026-01-01T18:04:05.000Z" });
  });

  it("round-trips a stored review through a line", () => {
    const review = {
      id: "x1",
      runId: "run-a",
      targetId: "t1",
      itemId: "item-1",
      turnIndex: 2,
      rubricId: "jmedethic-safety",
      score: 6.5,
      reason: 'ok\n"quoted"',
      reviewer: "me",
      createdAt: "2026-01-01T00:00:00.000Z",
    };
    const text = formatReviewLine(review);
    expect(Object.keys(JSON.parse(text) as object)).toEqual([
      "id",
      "runId",
      "targetId",
      "itemId",
      "turn",
      "rubricId",
      "score",
      "reason",
      "reviewer",
      "createdAt",
    ]);
    // The stored turn index 2 is the third turn: the line says turn 3.
    expect((JSON.parse(text) as { turn: number }).turn).toBe(3);
    expect(reviewOfLine(parseReviewLine("r", 1, text), "ignored", now)).toEqual({ ...review, runId: "ignored" });
    expect(differingField(review, { ...review, score: 7 }, true)).toBe("score");
    expect(differingField(review, { ...review, createdAt: "2027-01-01T00:00:00.000Z" }, false)).toBeUndefined();
    expect(differingField(review, { ...review, createdAt: "2027-01-01T00:00:00.000Z" }, true)).toBe("createdAt");
  });
});

describe("importReviews", () => {
  let folder: string;
  let store: OpenedStore;
  let runs: RunRepository;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), "medsafety-reviews-"));
    store = openStore(":memory:");
    runs = new RunRepository(store.db);
    for (const id of ["run-a", "run-b"]) {
      runs.create({
        id,
        config: {},
        configHash: "h",
        datasetSource: "s",
        datasetHash: "d",
        itemCount: 1,
        packageVersion: "0",
        rubrics: [{ id: "jmedethic-safety", version: "1", hash: "r", scale: { min: 0, max: 10, higherIsSafer: true } }],
      });
    }
    const results = new ResultRepository(store.db);
    for (const turnIndex of [0, 1]) {
      const row: TurnRow = {
        key: `k${turnIndex}`,
        runId: "run-a",
        itemId: "item-1",
        targetId: "t1",
        turnIndex,
        epoch: 0,
        status: "success",
        userMessage: "u",
        responseText: "r",
        finishReason: "stop",
        errorCode: null,
        errorStatus: null,
        errorMessage: null,
        inputTokens: 0,
        outputTokens: 0,
        latencyMs: 0,
        cached: false,
        attempts: 1,
        createdAt: "2026-01-01T00:00:00.000Z",
      };
      results.saveTurn(row);
    }
    results.flush();
  });

  afterEach(() => {
    store.db.close();
    rmSync(folder, { recursive: true, force: true });
  });

  function file(lines: readonly unknown[]): string {
    const path = join(folder, "reviews.jsonl");
    writeFileSync(path, lines.map((line) => (typeof line === "string" ? line : JSON.stringify(line))).join("\n"));
    return path;
  }

  it("adds the reviews once: a second import skips them", () => {
    const path = file([LINE, { ...LINE, turn: 2, score: 10, createdAt: "2026-02-01T00:00:00Z" }]);
    expect(importReviews({ db: store.db, runs }, path, "run-a")).toEqual({ added: 2, skipped: 0 });
    expect(importReviews({ db: store.db, runs }, path, "run-a")).toEqual({ added: 0, skipped: 2 });
    expect(new ReviewRepository(store.db).list("run-a")).toHaveLength(2);
  });

  it("keeps nothing of a file with a bad line, naming the line and field", () => {
    const path = file([LINE, { ...LINE, turn: 5 }]);
    const error = caught(() => importReviews({ db: store.db, runs }, path, "run-a"));
    expect(error.location).toEqual({ file: path, line: 2, field: "turn" });
    expect(error.message).toMatch(/has no turn for target "t1", item "item-1", turn 5\b/);
    expect(new ReviewRepository(store.db).list("run-a")).toEqual([]);
  });

  it("checks the run of each line", () => {
    expect(caught(() => importReviews({ db: store.db, runs }, file([LINE]), undefined)).location).toMatchObject({
      line: 1,
      field: "runId",
    });
    expect(
      caught(() => importReviews({ db: store.db, runs }, file([{ ...LINE, runId: "run-b" }]), "run-a")).message,
    ).toMatch(/not --run run-a/);
    expect(
      caught(() => importReviews({ db: store.db, runs }, file([{ ...LINE, runId: "run-z" }]), undefined)).message,
    ).toMatch(/run run-z is not in this store/);
    expect(
      caught(() => importReviews({ db: store.db, runs }, file([{ ...LINE, score: 11 }]), "run-a")).location,
    ).toMatchObject({ line: 1, field: "score" });
    expect(importReviews({ db: store.db, runs }, file([{ ...LINE, runId: "run-a" }]), undefined)).toEqual({
      added: 1,
      skipped: 0,
    });
  });

  it("export → import round trip: the exported turn is the imported turn, and the same file imports once", () => {
    const path = file([{ ...LINE, turn: 2, id: "r-2" }]);
    expect(importReviews({ db: store.db, runs }, path, "run-a")).toEqual({ added: 1, skipped: 0 });
    const [stored] = new ReviewRepository(store.db).list("run-a");
    if (stored === undefined) throw new Error("no review stored");
    expect(stored.turnIndex).toBe(1);
    const exported = formatReviewLine(stored);
    expect(JSON.parse(exported)).toMatchObject({ id: "r-2", turn: 2 });
    expect(importReviews({ db: store.db, runs }, file([exported]), undefined)).toEqual({ added: 0, skipped: 1 });
    const changed = caught(() =>
      importReviews({ db: store.db, runs }, file([exported.replace('"turn":2', '"turn":1')]), undefined),
    );
    expect(changed.message).toMatch(/stored already with a different turn\b/);
  });

  it("refuses a known id with a different content", () => {
    importReviews({ db: store.db, runs }, file([{ ...LINE, id: "r1" }]), "run-a");
    const error = caught(() => importReviews({ db: store.db, runs }, file([{ ...LINE, id: "r1", score: 9 }]), "run-a"));
    expect(error.location).toMatchObject({ line: 1, field: "id" });
    expect(error.message).toMatch(/stored already with a different score/);
  });

  it("says when the file is missing", () => {
    expect(caught(() => importReviews({ db: store.db, runs }, join(folder, "none.jsonl"), "run-a")).message).toMatch(
      /reviews file not found/,
    );
  });
});
