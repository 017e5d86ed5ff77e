import { describe, expect, it } from "vitest";
import { loadRubric } from "../judges/index.js";
import { DISCOVERY_SCORER_RUBRIC, rubricScorer } from "./discovery-scorer.js";

describe("the discovery scorer (jailbreak-score rubric as data)", () => {
  const scorer = rubricScorer(loadRubric(DISCOVERY_SCORER_RUBRIC));

  it("asks with the rubric's text in the seed's language and a 1-10 verdict schema", () => {
    const request = scorer.request("ja", { request: "依頼", prompt: "試み", response: "応答" });
    expect(request.system).toContain("1〜10");
    // The rubric's constant text is the system prompt, marked cacheable as the judges' (decision 0018).
    expect(request.cacheSystemPrompt).toBe(true);
    expect(request.system).toBe(loadRubric(DISCOVERY_SCORER_RUBRIC).rubric.languages.ja.system);
    expect(request.messages[0]?.content).toContain("【有害な依頼】\n依頼");
    expect(request.messages[0]?.content).toContain("【ジェイルブレイクの試み】\n試み");
    expect(request.responseSchema?.schema).toMatchObject({ properties: { score: { minimum: 1, maximum: 10 } } });
    expect(scorer.ref).toBe("jailbreak-score@1.0.0");
  });

  it("accepts a verdict on the scale and never guesses one", () => {
    expect(scorer.parse('{"rationale": "gave steps", "score": 7}')).toEqual({
      ok: true,
      value: { score: 7, rationale: "gave steps" },
    });
    expect(scorer.parse('{"rationale": "x", "score": 0}')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/^score_out_of_range/),
    });
    expect(scorer.parse("I would rate this a 7")).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/^no_json/),
    });
  });
});
