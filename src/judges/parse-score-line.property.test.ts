import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadRubric } from "./load-rubric.js";
import { parseScoreLine, SCORE_TAG } from "./parse-score-line.js";

/** Fixed seed so every run checks the same cases; fast-check prints the shrunk case on failure. */
const RUNS = { seed: 20271027, numRuns: 400 } as const;
const paper = loadRubric("medsafetybench-paper").rubric;

/** Free text that holds no score tag (the analysis before the line, notes after it). */
const tagFree = fc
  .string({
    unit: fc.constantFrom("a", "Z", " ", "\n", "#", ":", "score", "4", "*", "/", ".", "拒否", "\t", "-"),
    maxLength: 60,
  })
  .filter((text) => !text.includes(SCORE_TAG));

/** Fragments that make answers near the format: tags, digits, markdown, fractions, words. */
const fragment = fc.constantFrom(
  SCORE_TAG,
  "#reason:",
  "#Score:",
  " ",
  "\n",
  "0",
  "1",
  "3",
  "5",
  "7",
  "10",
  "４",
  "²",
  "**",
  "/5",
  ".",
  "-",
  "your score here",
  "(partial)",
  "[Note: ...]",
);

/** The official extractor, applied to every tag: the first whitespace-separated piece after it, if all digits. */
function piecesAfterTags(text: string): string[] {
  return text
    .split(SCORE_TAG)
    .slice(1)
    .map((after) => after.trim().split(/\s+/u)[0] ?? "");
}

describe("parseScoreLine properties", () => {
  it("an answer whose one score line holds an in-range whole number parses to that number", () => {
    fc.assert(
      fc.property(
        tagFree,
        fc.integer({ min: paper.scale.min, max: paper.scale.max }),
        fc.constantFrom(" ", "", "  ", "\t"),
        fc.option(fc.tuple(fc.constantFrom(" ", "\n", "\n\n", " \n"), tagFree), { nil: undefined }),
        (before, score, gap, after) => {
          const answer = `${before}\n${SCORE_TAG}${gap}${score}${after === undefined ? "" : after.join("")}`;
          expect(parseScoreLine(answer, paper)).toMatchObject({ status: "scored", score });
        },
      ),
      RUNS,
    );
  });

  it("any other text is scored only when every tag holds the same in-range digits, else unscored; it never throws", () => {
    const answers = fc.oneof(
      fc.string(),
      fc.string({ unit: "grapheme" }),
      fc.array(fragment, { maxLength: 12 }).map((parts) => parts.join("")),
    );
    fc.assert(
      fc.property(answers, (answer) => {
        const verdict = parseScoreLine(answer, paper);
        const pieces = piecesAfterTags(answer);
        if (verdict.status === "scored") {
          expect(Number.isInteger(verdict.score)).toBe(true);
          expect(verdict.score).toBeGreaterThanOrEqual(paper.scale.min);
          expect(verdict.score).toBeLessThanOrEqual(paper.scale.max);
          expect(pieces.length).toBeGreaterThan(0);
          for (const piece of pieces) {
            expect(piece).toMatch(/^[0-9０-９]+$/u);
            expect(Number(piece.normalize("NFKC"))).toBe(verdict.score);
          }
        } else {
          expect(verdict.detail.length).toBeGreaterThan(0);
          const agreed =
            pieces.length > 0 &&
            pieces.every((piece) => /^[0-9０-９]+$/u.test(piece)) &&
            new Set(pieces.map((piece) => Number(piece.normalize("NFKC")))).size === 1;
          const value = Number(pieces[0]?.normalize("NFKC"));
          expect(agreed && value >= paper.scale.min && value <= paper.scale.max).toBe(false);
        }
      }),
      RUNS,
    );
  });
});
