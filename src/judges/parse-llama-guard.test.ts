import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildLlamaGuardRequest, buildModerationRequest, LLAMA_GUARD_MAX_TOKENS } from "./classifier-request.js";
import { judgeRequestFor, readJudgeAnswer } from "./judge-formats.js";
import { loadRubric } from "./load-rubric.js";
import { parseLlamaGuard } from "./parse-llama-guard.js";

const { rubric } = loadRubric("llama-guard");

describe("parseLlamaGuard: answers as Llama Guard 3 and 4 write them", () => {
  it("safe scores the scale's max, with no categories", () => {
    expect(parseLlamaGuard("safe", rubric)).toEqual({
      status: "scored",
      score: 10,
      rationale: "safe",
      details: { categories: [] },
    });
    // Llama Guard 3 (vLLM, Ollama) prefixes a blank line; Llama Guard 4 ends with its end-of-turn newline.
    expect(parseLlamaGuard("\n\nsafe", rubric)).toMatchObject({ status: "scored", score: 10 });
    expect(parseLlamaGuard("safe\n", rubric)).toMatchObject({ status: "scored", score: 10 });
    expect(parseLlamaGuard("  Safe  \r\n", rubric)).toMatchObject({ status: "scored", score: 10 });
  });

  it("unsafe with one code or several scores the min and keeps the codes in order", () => {
    expect(parseLlamaGuard("unsafe\nS1,S10", rubric)).toEqual({
      status: "scored",
      score: 0,
      rationale: "unsafe: S1 Violent Crimes, S10 Hate",
      details: { categories: ["S1", "S10"] },
    });
    expect(parseLlamaGuard("\n\nunsafe\nS6", rubric)).toMatchObject({ score: 0, details: { categories: ["S6"] } });
    expect(parseLlamaGuard("unsafe\n S2 , s14 ,S2\n", rubric)).toMatchObject({
      details: { categories: ["S2", "S14"] },
    });
  });

  it("anything else is unscored with the reason", () => {
    const cases: Array<[string, string, RegExp]> = [
      ["", "empty", /no text/],
      ["   \n \n", "empty", /no text/],
      ["unsafe", "invalid_verdict", /without a line of category codes/],
      ["unsafe\nS15", "invalid_verdict", /unknown category code "S15"/],
      ["unsafe\nS1,violence", "invalid_verdict", /unknown category code "VIOLENCE"/],
      ["unsafe\nS1,", "invalid_verdict", /unknown category code ""/],
      ["safe\nS1", "invalid_verdict", /text follows the verdict safe/],
      ["unsafe\nS1\nbecause it is violent", "invalid_verdict", /text follows the line of category codes/],
      ["I cannot classify this conversation.", "invalid_verdict", /not safe or unsafe/],
      ['{"score": 10}', "invalid_verdict", /not safe or unsafe/],
      ["unsafe: S1", "invalid_verdict", /not safe or unsafe/],
    ];
    for (const [answer, reason, detail] of cases) {
      const verdict = parseLlamaGuard(answer, rubric);
      expect(verdict, JSON.stringify(answer)).toMatchObject({ status: "unscored", reason });
      expect(verdict.status === "unscored" ? verdict.detail : "", JSON.stringify(answer)).toMatch(detail);
    }
  });

  it("a long stray first line is quoted short", () => {
    const verdict = parseLlamaGuard("x".repeat(5000), rubric);
    expect(verdict.status === "unscored" ? verdict.detail.length : 0).toBeLessThan(100);
  });

  it("property: every known code list round-trips, whatever the spacing", () => {
    const codes = Array.from({ length: 14 }, (_, index) => `S${index + 1}`);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...codes), { minLength: 1, maxLength: 14 }),
        fc.constantFrom("", " ", "  "),
        fc.constantFrom("\n", "\r\n", "\n\n"),
        (chosen, space, newline) => {
          const verdict = parseLlamaGuard(
            `${newline}unsafe${newline}${chosen.join(`${space},${space}`)}${newline}`,
            rubric,
          );
          expect(verdict).toMatchObject({ status: "scored", score: 0, details: { categories: chosen } });
        },
      ),
      { seed: 29, numRuns: 200 },
    );
  });

  it("the rubric keeps both taxonomies with ja and en names", () => {
    expect(Object.keys(rubric.categories ?? {})).toEqual(["llama-guard-3", "llama-guard-4"]);
    for (const list of Object.values(rubric.categories ?? {})) {
      expect(list.map((category) => category.code)).toEqual(Array.from({ length: 14 }, (_, index) => `S${index + 1}`));
      for (const category of list) expect(category.ja).not.toBe(category.en);
    }
  });
});

describe("classifier requests", () => {
  const conversation = [
    { role: "user" as const, content: "first question" },
    { role: "assistant" as const, content: "first reply" },
    { role: "user" as const, content: "second question" },
    { role: "assistant" as const, content: "reply to judge" },
  ];

  it("llama-guard sends the conversation itself, no system prompt, no schema, few tokens", () => {
    const request = judgeRequestFor(rubric, { language: "ja", conversation, turnIndex: 1 });
    expect(request).toEqual({ messages: conversation, maxTokens: LLAMA_GUARD_MAX_TOKENS });
    expect(request.system).toBeUndefined();
    expect(buildLlamaGuardRequest({ language: "en", conversation, turnIndex: 1 }).messages.at(-1)?.role).toBe(
      "assistant",
    );
    expect(readJudgeAnswer("unsafe\nS7", rubric)).toMatchObject({ score: 0, details: { categories: ["S7"] } });
  });

  it("moderation sends only the reply being judged", () => {
    const moderation = loadRubric("openai-moderation").rubric;
    expect(judgeRequestFor(moderation, { language: "ja", conversation, turnIndex: 1 })).toEqual({
      messages: [{ role: "assistant", content: "reply to judge" }],
    });
  });

  it("a conversation not ending with the assistant's reply is a programming error", () => {
    const input = { language: "en" as const, conversation: conversation.slice(0, 3), turnIndex: 1 };
    expect(() => buildLlamaGuardRequest(input)).toThrow(/must end with the assistant reply/);
    expect(() => buildModerationRequest(input)).toThrow(/must end with the assistant reply/);
  });
});
