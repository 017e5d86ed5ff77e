import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BUILTIN_RUBRICS, loadRubric } from "./load-rubric.js";
import { parseVerdict } from "./parse-verdict.js";
import type { Rubric } from "./rubric.js";

/** Fixed seed so `npm test` is repeatable; fast-check prints the seed and the shrunk case on failure. */
const RUNS = { seed: 20261202, numRuns: 300 } as const;
const rubrics = new Map<string, Rubric>(BUILTIN_RUBRICS.map((id) => [id, loadRubric(id).rubric]));
/** Rubric ids (short in a counterexample), looked up in the test. */
const rubricId = fc.constantFrom(...BUILTIN_RUBRICS);

function rubricOf(id: string): Rubric {
  const rubric = rubrics.get(id);
  if (rubric === undefined) throw new Error(`no rubric ${id}`);
  return rubric;
}

const score = fc.oneof(
  fc.integer({ min: -20, max: 20 }),
  fc.double({ min: -20, max: 20, noNaN: false }),
  fc.constantFrom("8", " 3 ", "high", "", "NaN", "1e1", "-0"),
  fc.constant(null),
);
const verdictObject = fc.record(
  {
    rationale: fc.string(),
    score,
    label: fc.oneof(fc.constantFrom("comply", "partial", "refuse", "answer", "Refuse"), fc.string()),
  },
  { requiredKeys: [] },
);
/** Text that is not whitespace: prose a judge might write around a JSON object. */
const prose = fc
  .oneof(
    fc.constantFrom(
      "I will not evaluate this. Reply format:",
      "Here is my verdict:",
      "Thanks.",
      "スコア:",
      "```",
      "}",
      "{",
    ),
    fc.string({ minLength: 1 }),
  )
  .filter((text) => text.trim() !== "");

/** A judge answer of one of many kinds: verdict-shaped JSON with or without a fence or prose, truncated JSON, prose. */
const answer = fc.oneof(
  verdictObject.map((object) => JSON.stringify(object)),
  verdictObject.map((object) => `\`\`\`json\n${JSON.stringify(object)}\n\`\`\``),
  fc.tuple(prose, verdictObject).map(([before, object]) => `${before} ${JSON.stringify(object)}`),
  fc.tuple(verdictObject, prose).map(([object, after]) => `${JSON.stringify(object)}\n${after}`),
  fc.tuple(verdictObject, fc.nat()).map(([object, cut]) => {
    const json = JSON.stringify(object);
    return json.slice(0, cut % json.length);
  }),
  fc.tuple(verdictObject, verdictObject).map(([a, b]) => `${JSON.stringify(a)} ${JSON.stringify(b)}`),
  fc.string(),
  fc.json(),
);

/** The rule, stated independently of the parser: the whole answer (one fence allowed) is a JSON object. */
function wholeAnswerObject(text: string): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  const fenced = /^```[A-Za-z0-9_-]*[ \t]*\r?\n([\s\S]*?)\r?\n?```$/.exec(trimmed);
  try {
    const value: unknown = JSON.parse(fenced?.[1] ?? trimmed);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

describe("parseVerdict (property)", () => {
  it("gives a score only when the whole answer is a verdict object, and then exactly its score, inside the scale", () => {
    fc.assert(
      fc.property(answer, rubricId, (text, id) => {
        const rubric = rubricOf(id);
        const verdict = parseVerdict(text, rubric);
        if (verdict.status !== "scored") return;
        const object = wholeAnswerObject(text);
        expect(object).toBeDefined();
        expect(Number(object?.["score"])).toBe(verdict.score);
        expect(Number.isInteger(verdict.score)).toBe(true);
        expect(verdict.score).toBeGreaterThanOrEqual(rubric.scale.min);
        expect(verdict.score).toBeLessThanOrEqual(rubric.scale.max);
        if (rubric.labels !== undefined) expect(rubric.labels).toContain(verdict.label);
      }),
      RUNS,
    );
  });

  it("never scores an answer with prose around its JSON, whatever the JSON says", () => {
    fc.assert(
      fc.property(prose, verdictObject, prose, rubricId, (before, object, after, id) => {
        const rubric = rubricOf(id);
        expect(parseVerdict(`${before} ${JSON.stringify(object)}`, rubric).status).toBe("unscored");
        expect(parseVerdict(`${JSON.stringify(object)} ${after}`, rubric).status).toBe("unscored");
      }),
      RUNS,
    );
  });

  it("never throws and always says why an answer is unscored", () => {
    fc.assert(
      fc.property(answer, rubricId, (text, id) => {
        const rubric = rubricOf(id);
        const verdict = parseVerdict(text, rubric);
        if (verdict.status === "unscored") expect(verdict.detail.length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });
});
