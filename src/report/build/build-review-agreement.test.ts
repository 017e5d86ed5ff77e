import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { icc21, quadraticWeightedKappa } from "../../analysis/index.js";
import {
  ItemRepository,
  type OpenedStore,
  openStore,
  ResultRepository,
  ReviewRepository,
  type RunRecord,
  RunRepository,
} from "../../store/index.js";
import { formatReportCsv } from "../format/csv/format-csv.js";
import { formatReportMarkdown } from "../format/markdown/format-markdown.js";
import { formatReportTable } from "../format/table/format-table.js";
import { buildRunReport } from "./build-report.js";
import { JUDGES_MEAN } from "./build-review-agreement.js";

/** Judge a's and b's scores per item (turn 0, turn 1). */
const JUDGED: Record<string, [[number, number], [number, number]]> = {
  "item-1": [
    [9, 8],
    [7, 5],
  ],
  "item-2": [
    [10, 10],
    [3, 2],
  ],
  "item-3": [
    [6, 4],
    [1, 0],
  ],
};
/** Reviews: [item, turn, score, createdAt] (item-1 turn 1 is reviewed twice: the later one counts). */
const REVIEWS: Array<[string, number, number, string]> = [
  ["item-1", 1, 2, "2026-02-01T00:00:00.000Z"],
  ["item-1", 1, 4, "2026-02-02T00:00:00.000Z"],
  ["item-2", 0, 9, "2026-02-01T00:00:00.000Z"],
  ["item-3", 1, 3, "2026-02-01T00:00:00.000Z"],
];

let store: OpenedStore;
let run: RunRecord;

beforeEach(() => {
  store = openStore(":memory:");
  const runs = new RunRepository(store.db);
  runs.create({
    id: "run-r",
    config: { targets: [{ id: "t1" }], judges: [{ id: "a" }, { id: "b" }] },
    configHash: "h",
    datasetSource: "s",
    datasetHash: "d",
    itemCount: 3,
    packageVersion: "0",
    rubrics: [{ id: "jmedethic-safety", version: "1", hash: "r", scale: { min: 0, max: 10, higherIsSafer: true } }],
  });
  new ItemRepository(store.db).addBatch(
    "run-r",
    0,
    Object.keys(JUDGED).map((id) => ({
      id,
      version: `v-${id}`,
      language: "en",
      pairId: undefined,
      guidelineId: "jma-1",
      strategy: "s",
      turnCount: 2,
      json: JSON.stringify({ id }),
    })),
  );
  const results = new ResultRepository(store.db);
  const common = {
    runId: "run-r",
    targetId: "t1",
    epoch: 0,
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
  for (const [itemId, turns] of Object.entries(JUDGED)) {
    turns.forEach(([a, b], turnIndex) => {
      const key = `${itemId}-${turnIndex}`;
      results.saveTurn({
        ...common,
        key,
        itemId,
        turnIndex,
        status: "success",
        userMessage: "u",
        responseText: "r",
        finishReason: "stop",
      });
      for (const [judgeId, score] of [
        ["a", a],
        ["b", b],
      ] as const) {
        results.saveJudgment({
          ...common,
          key: `${key}-${judgeId}`,
          turnKey: key,
          itemId,
          turnIndex,
          judgeId,
          status: "scored",
          score,
          rationale: null,
          label: null,
          rawText: null,
          unscoredReason: null,
          rubricId: "jmedethic-safety",
          rubricVersion: "1",
        });
      }
    });
  }
  results.flush();
  run = runs.get("run-r") as RunRecord;
});

afterEach(() => {
  store.db.close();
});

function addReviews(): void {
  const reviews = new ReviewRepository(store.db);
  for (const [itemId, turnIndex, score, time] of REVIEWS) {
    reviews.add(
      {
        runId: "run-r",
        targetId: "t1",
        itemId,
        turnIndex,
        rubricId: "jmedethic-safety",
        score,
        reason: "checked",
        reviewer: "me",
      },
      new Date(time),
    );
  }
}

const OPTIONS = { passThreshold: 2, bootstrap: { resamples: 50, seed: 1, confidence: 0.95 } };

describe("human review in reports", () => {
  it("leaves a report without reviews unchanged: no humanReview field", async () => {
    const report = await buildRunReport(store.db, run, OPTIONS);
    expect(report).not.toHaveProperty("humanReview");
    expect(formatReportTable(report)).not.toMatch(/Human review|Judge vs human/);
  });

  it("measures each judge and the judges' mean against the latest reviews, without changing scores", async () => {
    const before = await buildRunReport(store.db, run, OPTIONS);
    addReviews();
    const report = await buildRunReport(store.db, run, OPTIONS);
    expect(report.targets).toEqual(before.targets);
    expect(report.agreement).toEqual(before.agreement);
    // Reviewed turns: item-1 turn 1 (latest: 4), item-2 turn 0 (9), item-3 turn 1 (3).
    const human = [4, 9, 3];
    const judgeA = [7, 10, 1];
    const judgeB = [5, 10, 0];
    const mean = [6, 10, 0.5];
    const expected = (rater: number[]) => ({
      n: 3,
      meanAbsoluteDifference: rater.reduce((sum, score, index) => sum + Math.abs(score - (human[index] ?? 0)), 0) / 3,
      icc21: icc21(rater.map((score, index) => [score, human[index] ?? 0])),
    });
    expect(report.humanReview).toMatchObject({
      rubricId: "jmedethic-safety",
      reviewedTurns: 3,
      reviewedScoresUsed: false,
      turnsScoredByReview: 0,
    });
    const [a, b, judgesMean] = report.humanReview?.agreement ?? [];
    expect(a).toMatchObject({
      rater: "a",
      kind: "judge",
      n: 3,
      meanAbsoluteDifference: expected(judgeA).meanAbsoluteDifference,
    });
    expect(b).toMatchObject({
      rater: "b",
      kind: "judge",
      n: 3,
      meanAbsoluteDifference: expected(judgeB).meanAbsoluteDifference,
    });
    expect(b?.icc21).toBeCloseTo(expected(judgeB).icc21 ?? Number.NaN, 10);
    expect(a?.icc21).toBeCloseTo(expected(judgeA).icc21 ?? Number.NaN, 10);
    expect(a?.kappa).toBeCloseTo(quadraticWeightedKappa(judgeA, human, 0, 10) ?? Number.NaN, 10);
    expect(b?.kappa).toBeCloseTo(quadraticWeightedKappa(judgeB, human, 0, 10) ?? Number.NaN, 10);
    expect(judgesMean).toMatchObject({ rater: JUDGES_MEAN, kind: "judges-mean", n: 3, kappa: null });
    expect(judgesMean?.meanAbsoluteDifference).toBeCloseTo(expected(mean).meanAbsoluteDifference, 12);
    expect(judgesMean?.icc21).toBeCloseTo(expected(mean).icc21 ?? Number.NaN, 10);
    expect(formatReportTable(report)).toMatch(/Human review: 3 turn\(s\) reviewed; scores are the judges' mean/);
    expect(formatReportTable(report)).toMatch(/Judge vs human \(jmedethic-safety, over 3 reviewed turn\(s\)\)/);
    expect(formatReportMarkdown(report, { lang: "en" })).toMatch(/## Judge vs human review/);
    expect(formatReportMarkdown(report, { lang: "ja" })).toMatch(/## 評価者と人手レビューの一致/);
    expect(formatReportCsv(report)).toMatch(/^human_review,jmedethic-safety,,all,all,,reviewed_turns,3,$/m);
  });

  it("with useReviews scores reviewed turns by their latest review; judges' scores and agreement stay", async () => {
    const before = await buildRunReport(store.db, run, OPTIONS);
    addReviews();
    const report = await buildRunReport(store.db, run, { ...OPTIONS, useReviews: true });
    const turn = (index: number) => report.targets[0]?.turns[index];
    // Turn 0: 8.5, 9 (reviewed, was 10), 5. Turn 1: 4 (reviewed, was 6), 2.5, 3 (reviewed, was 0.5).
    expect(turn(0)?.mean).toBeCloseTo((8.5 + 9 + 5) / 3, 12);
    expect(turn(1)?.mean).toBeCloseTo((4 + 2.5 + 3) / 3, 12);
    expect(turn(1)?.median).toBe(3);
    expect(before.targets[0]?.turns[1]?.mean).toBeCloseTo((6 + 2.5 + 0.5) / 3, 12);
    // Pass (every turn > 2): item-1 (8.5, 4) and item-3 (5, 3) now pass; item-2 (9, 2.5) passes too.
    expect(report.targets[0]?.safetyPassRate).toBe(1);
    expect(before.targets[0]?.safetyPassRate).toBeCloseTo(2 / 3, 12);
    expect(report.judges).toEqual(before.judges);
    expect(report.agreement).toEqual(before.agreement);
    expect(report.humanReview).toMatchObject({ reviewedTurns: 3, reviewedScoresUsed: true, turnsScoredByReview: 3 });
    expect(formatReportTable(report)).toMatch(/reviewed scores used \(--use-reviews\): 3 turn score\(s\)/);
  });

  it("with useReviews and no reviews says so with zero counts", async () => {
    const report = await buildRunReport(store.db, run, { ...OPTIONS, useReviews: true });
    expect(report.humanReview).toMatchObject({ reviewedTurns: 0, reviewedScoresUsed: true, turnsScoredByReview: 0 });
    expect(report.humanReview?.agreement.map((entry) => entry.n)).toEqual([0, 0, 0]);
  });
});
