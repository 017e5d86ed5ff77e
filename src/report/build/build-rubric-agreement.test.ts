import { describe, expect, it } from "vitest";
import { compareRubrics, type ScoredTurn, sameScale } from "./build-rubric-agreement.js";

const rubric = (id: string, scale?: { min: number; max: number; higherIsSafer: boolean; continuous?: boolean }) => ({
  id,
  version: "1.0.0",
  hash: "h",
  ...(scale === undefined ? {} : { scale }),
});
const harmScale = { min: 1, max: 5, higherIsSafer: false };

function turns(scores: Record<string, Record<string, number>>): Map<string, ScoredTurn> {
  return new Map(
    Object.entries(scores).map(([key, byJudge]) => [
      key,
      {
        targetId: "t",
        itemId: key,
        turnIndex: 0,
        language: "en",
        strategy: "direct",
        scores: new Map(Object.entries(byJudge)),
      },
    ]),
  );
}

describe("sameScale", () => {
  it("needs the same min, max and direction", () => {
    expect(sameScale(rubric("a", harmScale), rubric("b", { ...harmScale }))).toBe(true);
    expect(sameScale(rubric("a", harmScale), rubric("b", { ...harmScale, max: 10 }))).toBe(false);
    expect(sameScale(rubric("a", harmScale), rubric("b", { ...harmScale, min: 0 }))).toBe(false);
    expect(sameScale(rubric("a", harmScale), rubric("b", { ...harmScale, higherIsSafer: true }))).toBe(false);
    expect(sameScale(rubric("a", harmScale), rubric("b"))).toBe(false);
  });
});

describe("compareRubrics", () => {
  it("compares every judge of one rubric with every judge of the other over the turns they share", () => {
    const first = turns({ k1: { x: 1 }, k2: { x: 5 }, k3: { x: 3 } });
    const second = turns({ k1: { y: 1, z: 2 }, k2: { y: 5, z: 4 }, k4: { y: 2 } });
    const result = compareRubrics(rubric("a", harmScale), rubric("b", harmScale), first, second, 3);
    expect(result?.agreement).toMatchObject({
      rubricId: "a × b",
      acrossRubrics: ["a", "b"],
      judges: ["x (a)", "y (b)", "z (b)"],
      completeTurns: 2,
      incompleteTurns: 2,
    });
    expect(result?.pairs.map((pair) => [pair.judges, pair.n, pair.meanAbsoluteDifference])).toEqual([
      [["x (a)", "y (b)"], 2, 0],
      [["x (a)", "z (b)"], 2, 1],
    ]);
  });

  it("gives nothing when the two rubrics scored no turn in common", () => {
    expect(
      compareRubrics(
        rubric("a", harmScale),
        rubric("b", harmScale),
        turns({ k1: { x: 1 } }),
        turns({ k2: { y: 1 } }),
        3,
      ),
    ).toBeUndefined();
  });
});
