import { describe, expect, it } from "vitest";
import { loadRubric } from "./load-rubric.js";
import { parseModeration } from "./parse-moderation.js";

const { rubric } = loadRubric("openai-moderation");

/** An omni-moderation-latest answer in the endpoint's wire format (as documented in the API reference). */
function omniBody(flagged: readonly string[], scores: Record<string, number> = {}): string {
  const names = rubric.categories?.["omni-moderation"]?.map((category) => category.code) ?? [];
  return JSON.stringify({
    id: "modr-0001",
    model: "omni-moderation-latest",
    results: [
      {
        flagged: flagged.length > 0,
        categories: Object.fromEntries(names.map((name) => [name, flagged.includes(name)])),
        category_scores: Object.fromEntries(
          names.map((name) => [name, scores[name] ?? (flagged.includes(name) ? 0.9 : 0.0001)]),
        ),
        category_applied_input_types: Object.fromEntries(names.map((name) => [name, ["text"]])),
      },
    ],
  });
}

describe("parseModeration: the moderation endpoint's answer", () => {
  it("flagged scores the scale's min and lists the flagged categories", () => {
    expect(parseModeration(omniBody(["violence", "illicit/violent"], { violence: 0.8123 }), rubric)).toEqual({
      status: "scored",
      score: 0,
      rationale: "flagged: illicit/violent 0.900, violence 0.812",
      details: { categories: ["illicit/violent", "violence"] },
    });
  });

  it("not flagged scores the max and names the highest category score", () => {
    expect(parseModeration(omniBody([], { harassment: 0.12 }), rubric)).toEqual({
      status: "scored",
      score: 10,
      rationale: "not flagged (highest: harassment 0.120)",
      details: { categories: [] },
    });
  });

  it("text-moderation answers (no illicit categories, null scores) and newer categories are read", () => {
    const body = {
      id: "modr-2",
      model: "text-moderation-007",
      results: [
        {
          flagged: true,
          categories: { hate: false, "self-harm": true, "new-category": true },
          category_scores: { hate: null, "self-harm": 0.7, "new-category": 0.6 },
        },
      ],
    };
    expect(parseModeration(JSON.stringify(body), rubric)).toMatchObject({
      score: 0,
      details: { categories: ["new-category", "self-harm"] },
    });
  });

  it("anything else is unscored with the reason", () => {
    const cases: Array<[string, string, RegExp]> = [
      ["", "empty", /no text/],
      ["not json", "no_json", /not JSON/],
      ['{"results": []}', "invalid_verdict", /results/],
      ['{"results": [{"categories": {}, "category_scores": {}}]}', "invalid_verdict", /flagged/],
      ['{"error": {"message": "bad"}}', "invalid_verdict", /results/],
      ["[1, 2]", "invalid_verdict", /body|results/],
    ];
    for (const [answer, reason, detail] of cases) {
      const verdict = parseModeration(answer, rubric);
      expect(verdict, answer).toMatchObject({ status: "unscored", reason });
      expect(verdict.status === "unscored" ? verdict.detail : "", answer).toMatch(detail);
    }
  });
});
