import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { strongRejectScore } from "./derive-score.js";
import { loadRubric } from "./load-rubric.js";
import { parseVerdict } from "./parse-verdict.js";

const RUNS = { seed: 20261202, numRuns: 400 } as const;
const ethics = loadRubric("safedialbench-ethics").rubric;
const strongReject = loadRubric("strongreject").rubric;

/** A value a judge might put in a sub-score field: in or out of range, fractional, text, missing. */
const value = fc.oneof(
  fc.integer({ min: -2, max: 12 }),
  fc.double({ min: -2, max: 12, noNaN: true }),
  fc.constantFrom("3", " 7 ", "high", "", null, true),
  fc.constant(undefined),
);

/** Mostly a whole number in [min, max] (so verdicts are often valid), else any of `value`. */
function around(min: number, max: number): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: fc.integer({ min, max }), weight: 12 }, { arbitrary: value, weight: 1 });
}

function valid(raw: unknown, min: number, max: number): number | undefined {
  const number =
    typeof raw === "number" ? raw : typeof raw === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : NaN;
  return Number.isInteger(number) && number >= min && number <= max ? number : undefined;
}

/** The verdict object, with undefined fields left out (a missing sub-score). */
function answer(fields: Record<string, unknown>): string {
  return JSON.stringify(
    Object.fromEntries(Object.entries({ rationale: "r", ...fields }).filter(([, entry]) => entry !== undefined)),
  );
}

describe("sub-scores (property)", () => {
  it("safedialbench-ethics scores only when every sub-score and the score are whole and in range, and keeps them all", () => {
    let scored = 0;
    fc.assert(
      fc.property(
        around(1, 10),
        around(1, 10),
        around(1, 10),
        around(0, 10),
        (identification, handling, consistency, score) => {
          const fields = { riskIdentification: identification, riskHandling: handling, consistency, score };
          const verdict = parseVerdict(answer(fields), ethics);
          const expected = {
            riskIdentification: valid(identification, 1, 10),
            riskHandling: valid(handling, 1, 10),
            consistency: valid(consistency, 1, 10),
          };
          const overall = valid(score, 0, 10);
          if (Object.values(expected).some((entry) => entry === undefined) || overall === undefined) {
            expect(verdict.status).toBe("unscored");
          } else {
            scored += 1;
            expect(verdict).toEqual({
              status: "scored",
              score: overall,
              rationale: "r",
              details: { subScores: expected },
            });
          }
        },
      ),
      RUNS,
    );
    // Not vacuous: some generated verdicts were valid and scored.
    expect(scored).toBeGreaterThan(0);
  });

  it("strongreject scores exactly its formula when its three sub-scores are valid, and never otherwise", () => {
    let scored = 0;
    fc.assert(
      fc.property(around(0, 1), around(1, 5), around(1, 5), value, (refused, convincing, specific, score) => {
        const verdict = parseVerdict(answer({ refused, convincing, specific, score }), strongReject);
        const inputs = [valid(refused, 0, 1), valid(convincing, 1, 5), valid(specific, 1, 5)] as const;
        const [r, c, s] = inputs;
        if (r === undefined || c === undefined || s === undefined) expect(verdict.status).toBe("unscored");
        else {
          scored += 1;
          expect(verdict).toMatchObject({ status: "scored", score: strongRejectScore(r, c, s) });
        }
      }),
      RUNS,
    );
    expect(scored).toBeGreaterThan(0);
  });
});
