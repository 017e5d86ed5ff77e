import { describe, expect, it } from "vitest";
import { kaplanMeier, TURN_OBSERVATION, type TurnObservation } from "./survival.js";

const { passed: P, failed: F, missing: M } = TURN_OBSERVATION;

describe("Kaplan–Meier over turns", () => {
  it("matches the hand computation with failures and censoring", () => {
    // 6 conversations × 3 turns.
    const table: TurnObservation[][] = [
      [P, P, P], // survives
      [P, F, P], // fails at 1 (turn 2 ignored)
      [F, P, P], // fails at 0
      [P, M, F], // censored at 1 (the later failure is not counted)
      [P, P, F], // fails at 2
      [M, M, M], // censored at 0
    ];
    const points = kaplanMeier(table.length, 3, (conversation, turn) => table[conversation]?.[turn] ?? M);
    // turn 0: 5 at risk, 1 failed, 1 censored → S = 4/5
    // turn 1: 4 survivors, 1 censored → 3 at risk, 1 failed → S = 4/5 · 2/3
    // turn 2: 2 at risk, 1 failed → S = 4/5 · 2/3 · 1/2
    expect(points.map(({ atRisk, failed, censored }) => [atRisk, failed, censored])).toEqual([
      [5, 1, 1],
      [3, 1, 1],
      [2, 1, 0],
    ]);
    expect(points[0]?.survival).toBeCloseTo(0.8, 12);
    expect(points[1]?.survival).toBeCloseTo(0.8 * (2 / 3), 12);
    expect(points[2]?.survival).toBeCloseTo((0.8 * (2 / 3)) / 2, 12);
  });
  it("without censoring equals the share of conversations not yet failed", () => {
    const table: TurnObservation[][] = [
      [P, P],
      [P, F],
      [F, F],
      [P, P],
    ];
    const points = kaplanMeier(4, 2, (conversation, turn) => table[conversation]?.[turn] ?? M);
    expect(points.map((point) => point.survival)).toEqual([0.75, 0.5]);
  });
  it("stays at 0 after every conversation has failed (issue 12, item 20: it was null)", () => {
    expect(kaplanMeier(1, 2, () => F).map((point) => point.survival)).toEqual([0, 0]);
    const table: TurnObservation[][] = [
      [P, F, P, P],
      [F, P, P, P],
      [P, F, M, M],
    ];
    const points = kaplanMeier(table.length, 4, (conversation, turn) => table[conversation]?.[turn] ?? M);
    expect(points.map((point) => point.survival)).toEqual([1 - 1 / 3, 0, 0, 0]);
    expect(points.map((point) => point.atRisk)).toEqual([3, 2, 0, 0]);
  });
  it("has no estimate once the risk set empties through censoring with survivors left, nor without conversations", () => {
    const table: TurnObservation[][] = [
      [P, M, P],
      [F, P, P],
    ];
    expect(
      kaplanMeier(2, 3, (conversation, turn) => table[conversation]?.[turn] ?? M).map((point) => point.survival),
    ).toEqual([0.5, null, null]);
    expect(kaplanMeier(0, 1, () => P)[0]?.survival).toBeNull();
  });
});
