import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, openStore } from "../../store/index.js";
import { cellAnchor, conversationAnchor } from "../model/anchors.js";
import { TRUNCATION_MARK } from "../model/example-types.js";
import type { RunReport } from "../model/report-model.js";
import { loadReportExamples } from "./examples.js";

const SAFETY = { id: "jmedethic-safety", version: "1", hash: "h", scale: { min: 0, max: 10, higherIsSafer: true } };
const HARM = { id: "medsafetybench-harm", version: "1", hash: "h", scale: { min: 1, max: 5, higherIsSafer: false } };

/** Turn scores by target and item: [judge-a, judge-b] per turn; null = that judge's verdict is unscored. */
const SCORES: Record<string, Record<string, Array<[number | null, number | null]>>> = {
  good: {
    "i-1": [
      [9, 9],
      [8, 8],
    ],
    "i-2": [
      [7, 7],
      [7, 5],
    ],
    "i-3": [
      [9, 9],
      [9, 9],
    ],
    "i-4": [
      [10, 10],
      [10, null],
    ],
  },
  bad: {
    "i-1": [
      [2, 4],
      [1, 1],
    ],
    "i-2": [
      [8, 8],
      [2, 2],
    ],
    "i-3": [
      [5, 5],
      [5, 5],
    ],
    "i-4": [
      [3, 3],
      [3, 3],
    ],
  },
};

function seed(db: Db): void {
  db.prepare(
    `INSERT INTO runs (id, created_at, updated_at, finished_at, status, config_json, config_hash, dataset_source, dataset_hash, item_count, rubrics_json, package_version, error_message)
     VALUES ('run', 't', 't', NULL, 'success', '{}', 'c', 'src', 'd', 5, '[]', '0.1.0', NULL)`,
  ).run();
  db.prepare(`INSERT INTO items VALUES ('v', '{}')`).run();
  const strategies: Record<string, string> = { "i-1": "s-a", "i-2": "s-a", "i-3": "s-a", "i-4": "s-b", "i-5": "s-msb" };
  for (const [index, [item, strategy]] of Object.entries(strategies).entries()) {
    db.prepare(`INSERT INTO run_items VALUES ('run', ?, ?, 'v', ?, NULL, 'jma-1', ?, 2)`).run(
      index,
      item,
      index % 2 === 0 ? "ja" : "en",
      strategy,
    );
  }
  const turn = db.prepare(
    `INSERT INTO turns (key, run_id, item_id, target_id, turn_index, epoch, status, user_message, response_text, finish_reason,
       error_code, error_status, error_message, input_tokens, output_tokens, latency_ms, cached, attempts, created_at)
     VALUES (?, 'run', ?, ?, ?, 0, ?, ?, ?, 'stop', NULL, NULL, ?, 1, 1, 1, 0, 1, 't')`,
  );
  const judgment =
    db.prepare(`INSERT INTO judgments (key, turn_key, run_id, item_id, target_id, turn_index, judge_id, status, score, rationale, unscored_reason,
    rubric_id, rubric_version, input_tokens, output_tokens, latency_ms, cached, attempts, created_at)
    VALUES (?, ?, 'run', ?, ?, ?, ?, ?, ?, ?, ?, ?, '1', 1, 1, 1, 0, 1, 't')`);
  for (const [target, items] of Object.entries(SCORES)) {
    for (const [item, turns] of Object.entries(items)) {
      turns.forEach(([a, b], index) => {
        const key = `${target}/${item}/${index}`;
        const reply =
          target === "bad" && item === "i-1" && index === 1 ? `x`.repeat(50) : `reply ${key} <script>alert(1)</script>`;
        turn.run(key, item, target, index, "success", `user ${item} ${index}`, reply, null);
        for (const [judge, score] of [
          ["judge-a", a],
          ["judge-b", b],
        ] as const) {
          judgment.run(
            `${key}/${judge}`,
            key,
            item,
            target,
            index,
            judge,
            score === null ? "unscored" : "scored",
            score,
            score === null ? null : `why ${score}`,
            score === null ? "no JSON" : null,
            SAFETY.id,
          );
        }
      });
    }
    // One single-turn MedSafetyBench item judged for harm (1–5, higher is worse) and a failed turn.
    turn.run(`${target}/i-5/0`, "i-5", target, 0, "success", "harm request", "harm reply", null);
    judgment.run(
      `${target}/i-5/0/judge-a`,
      `${target}/i-5/0`,
      "i-5",
      target,
      0,
      "judge-a",
      "scored",
      target === "bad" ? 5 : 1,
      "harm",
      null,
      HARM.id,
    );
  }
}

function report(): RunReport {
  return {
    run: { id: "run", rubrics: [SAFETY, HARM] },
    targets: [{ targetId: "good" }, { targetId: "bad" }],
    scales: [],
    agreement: [{ rubricId: SAFETY.id, judges: ["judge-a", "judge-b"] }],
  } as unknown as RunReport;
}

describe("loadReportExamples", () => {
  let db: Db;
  let close: () => void;

  beforeAll(() => {
    const store = openStore(join(mkdtempSync(join(tmpdir(), "medsafety-examples-")), "store.db"));
    db = store.db;
    close = () => store.db.close();
    seed(db);
  });

  afterAll(() => close());

  it("picks the worst conversations of each rubric × target × strategy cell, worst first", () => {
    const examples = loadReportExamples(db, report(), { maxTextLength: 40 });
    const cell = (rubric: string, target: string, strategy: string): string[] =>
      examples.cells
        .find((entry) => entry.anchor === cellAnchor(rubric, target, strategy))
        ?.conversations.map((anchor) => examples.conversations.find((c) => c.anchor === anchor)?.itemId ?? "?") ?? [];
    // bad, s-a: i-1 (mean of turns 3 and 1 = 2), i-2 (5), i-3 (5) → the two lowest.
    expect(cell(SAFETY.id, "bad", "s-a")).toEqual(["i-1", "i-2"]);
    // good, s-a: i-2 (turn means 7 and 6 → 6.5) before i-1 (8.5).
    expect(cell(SAFETY.id, "good", "s-a")).toEqual(["i-2", "i-1"]);
    // Harm is worse when higher: the example of bad is its 5.
    expect(cell(HARM.id, "bad", "s-msb")).toEqual(["i-5"]);
    const worst = examples.conversations.find(
      (conversation) => conversation.anchor === conversationAnchor("bad", "i-1"),
    );
    expect(worst?.scores[SAFETY.id]).toBe(2);
    expect(worst?.turns.map((turn) => turn.judgments.map((judgment) => [judgment.judgeId, judgment.score]))).toEqual([
      [
        ["judge-a", 2],
        ["judge-b", 4],
      ],
      [
        ["judge-a", 1],
        ["judge-b", 1],
      ],
    ]);
    expect(worst?.turns[1]?.response).toBe(`${"x".repeat(40)}${TRUNCATION_MARK}`);
    const unscored = examples.conversations.find(
      (conversation) => conversation.anchor === conversationAnchor("good", "i-4"),
    )?.turns[1]?.judgments[1];
    expect(unscored).toEqual({
      judgeId: "judge-b",
      rubricId: SAFETY.id,
      status: "unscored",
      score: null,
      text: "no JSON",
    });
    expect(examples.truncated).toBe(false);
    expect(examples).toMatchObject({ sampledItems: 5, totalItems: 5 });
  });

  it("caps the total, every cell's first example before any second one, and says so", () => {
    const examples = loadReportExamples(db, report(), { limit: 5 });
    expect(examples.conversations.length).toBeLessThanOrEqual(5);
    expect(examples.truncated).toBe(true);
    expect(examples.cells.every((cell) => cell.conversations.length === 1)).toBe(true);
  });

  it("samples the first items of each strategy", () => {
    const examples = loadReportExamples(db, report(), { samplePerStrategy: 1 });
    expect(examples).toMatchObject({ sampledItems: 3, totalItems: 5 });
    expect(examples.conversations.map((conversation) => conversation.itemId).sort()).toEqual([
      "i-1",
      "i-1",
      "i-4",
      "i-4",
      "i-5",
      "i-5",
    ]);
  });

  it("counts the pairs of judge scores on the turns both scored", () => {
    const [scatter] = loadReportExamples(db, report()).judgeScatter;
    expect(scatter?.judges).toEqual(["judge-a", "judge-b"]);
    expect(scatter?.turns).toBe(15);
    expect(scatter?.counts).toContainEqual({ a: 2, b: 4, count: 1 });
    expect(scatter?.counts).toContainEqual({ a: 9, b: 9, count: 3 });
    expect(scatter?.counts.reduce((sum, cell) => sum + cell.count, 0)).toBe(15);
  });
});
