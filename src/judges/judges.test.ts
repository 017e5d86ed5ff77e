import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ChatMessage, InputError, MedsafetyError, ProviderError, packageRoot } from "../core/index.js";
import type { ChatRequest, RetryInfo } from "../providers/index.js";
import { MockChatModel, mockErrors } from "../testing/index.js";
import { buildJudgeRequest, type JudgeInput } from "./judge-prompt.js";
import { judgeTurn } from "./judge-turn.js";
import { loadRubric } from "./load-rubric.js";
import { parseVerdict } from "./parse-verdict.js";

const { rubric } = loadRubric("jmedethic-safety");
const PLACEHOLDERS = ["{{history}}", "{{turn}}", "{{user}}", "{{response}}"];

const CONVERSATION: readonly ChatMessage[] = [
  { role: "user", content: "First question." },
  { role: "assistant", content: "First answer." },
  { role: "user", content: "Now change the chart." },
  { role: "assistant", content: "I cannot do that." },
];

function userContent(request: ChatRequest): string {
  const [message] = request.messages;
  if (message === undefined || request.messages.length !== 1) throw new Error("expected one user message");
  return message.content;
}

describe("loadRubric", () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), "medsafety-rubric-"));
  });
  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  function builtinJson(): Record<string, unknown> {
    const path = join(packageRoot(), "src", "judges", "rubrics", "jmedethic-safety.json");
    return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  }

  function rubricErrorOf(content: unknown): InputError {
    const path = join(folder, "rubric.json");
    writeFileSync(path, JSON.stringify(content));
    try {
      loadRubric("rubric.json", folder);
    } catch (error) {
      if (error instanceof InputError) return error;
      throw error;
    }
    throw new Error("expected loadRubric to fail");
  }

  it("loads the built-in rubric with both languages holding the four placeholders", () => {
    const loaded = loadRubric("jmedethic-safety");
    expect(loaded.rubric).toMatchObject({ id: "jmedethic-safety", version: "1.0.0", scale: { min: 0, max: 10 } });
    expect(loaded.hash).toMatch(/^[0-9a-f]{16}$/);
    for (const language of ["ja", "en"] as const) {
      for (const placeholder of PLACEHOLDERS) expect(loaded.rubric.languages[language].template).toContain(placeholder);
      expect(loaded.rubric.languages[language].bandLabels).toHaveLength(loaded.rubric.bands.length);
    }
  });

  it("loads a rubric file by path with the same hash for the same content", () => {
    writeFileSync(join(folder, "copy.json"), JSON.stringify(builtinJson()));
    expect(loadRubric("copy.json", folder).hash).toBe(loadRubric("jmedethic-safety").hash);
  });

  it("names the file and the field when a field is missing", () => {
    const { description: _dropped, ...content } = builtinJson();
    const error = rubricErrorOf(content);
    // The missing field is reported at the line of the object that lacks it (line 1 here).
    expect(error.location).toEqual({ file: join(folder, "rubric.json"), line: 1, field: "description" });
    expect(error.message).toContain(join(folder, "rubric.json"));
  });

  it("names the file when the bands leave a gap", () => {
    const error = rubricErrorOf({
      ...builtinJson(),
      bands: [
        { min: 0, max: 4 },
        { min: 6, max: 10 },
      ],
    });
    expect(error.location).toEqual({ file: join(folder, "rubric.json"), field: "bands" });
    expect(error.message).toMatch(/without gaps/);
  });

  it("names the file when the bands stop short of the scale", () => {
    const error = rubricErrorOf({
      ...builtinJson(),
      bands: [
        { min: 0, max: 4 },
        { min: 5, max: 9 },
      ],
    });
    expect(error.message).toMatch(/bands end at 9, not at 10/);
  });

  it("names the file when it is not JSON or does not exist", () => {
    writeFileSync(join(folder, "broken.json"), "{");
    expect(() => loadRubric("broken.json", folder)).toThrow(/broken\.json:1: rubric is not valid JSON at column 2 \(/);
    expect(() => loadRubric("absent.json", folder)).toThrow(/absent\.json: rubric "absent\.json" not found/);
  });
});

describe("buildJudgeRequest", () => {
  it("fills history, 1-based turn, user message and response in English", () => {
    const request = buildJudgeRequest(rubric, { language: "en", conversation: CONVERSATION, turnIndex: 1 });
    const content = userContent(request);
    expect(request.system).toBe(rubric.languages.en.system);
    expect(content).toContain("[User]\nFirst question.\n\n[Assistant]\nFirst answer.");
    expect(content).toContain("=== Turn 2: user message ===\nNow change the chart.");
    expect(content).toContain("=== Assistant reply to evaluate ===\nI cannot do that.");
    for (const placeholder of PLACEHOLDERS) expect(content).not.toContain(placeholder);
  });

  it("fills the Japanese template and says when there is no history", () => {
    const request = buildJudgeRequest(rubric, { language: "ja", conversation: CONVERSATION.slice(2), turnIndex: 0 });
    const content = userContent(request);
    expect(request.system).toBe(rubric.languages.ja.system);
    expect(content).toContain(
      `【これまでの会話】（文脈としてのみ参照し、ここに含まれるターンは採点しないこと）\n${rubric.languages.ja.noHistory}`,
    );
    expect(content).toContain("【ターン1：ユーザーのメッセージ】\nNow change the chart.");
    expect(content).toContain("【評価対象のアシスタントの応答】\nI cannot do that.");
  });

  it("does not expand placeholders written inside the conversation", () => {
    const input: JudgeInput = {
      language: "en",
      turnIndex: 0,
      conversation: [
        { role: "user", content: "Say {{response}} and {{turn}}" },
        { role: "assistant", content: "REPLY" },
      ],
    };
    const content = userContent(buildJudgeRequest(rubric, input));
    expect(content).toContain("=== Turn 1: user message ===\nSay {{response}} and {{turn}}");
    expect(content.split("REPLY")).toHaveLength(2);
  });

  it("asks for a verdict following the response schema", () => {
    const request = buildJudgeRequest(rubric, { language: "en", conversation: CONVERSATION, turnIndex: 1 });
    expect(request.responseSchema).toEqual({
      name: "verdict",
      schema: {
        type: "object",
        properties: { rationale: { type: "string" }, score: { type: "integer", minimum: 0, maximum: 10 } },
        required: ["rationale", "score"],
        additionalProperties: false,
      },
    });
  });

  it("refuses a conversation that does not end with a user message and a reply", () => {
    expect(() =>
      buildJudgeRequest(rubric, { language: "en", conversation: CONVERSATION.slice(0, 3), turnIndex: 1 }),
    ).toThrow(/must end with/);
  });
});

describe("parseVerdict", () => {
  it("reads a valid verdict", () => {
    expect(parseVerdict('{"rationale": "Refused and redirected.", "score": 9}', rubric)).toEqual({
      status: "scored",
      score: 9,
      rationale: "Refused and redirected.",
    });
  });

  it("reads a verdict that is the whole answer, with whitespace or one code fence around it", () => {
    expect(parseVerdict('\n  {"rationale": "spaced", "score": 7}  \n', rubric)).toEqual({
      status: "scored",
      score: 7,
      rationale: "spaced",
    });
    expect(parseVerdict('```json\n{"rationale": "fenced", "score": 2}\n```', rubric)).toEqual({
      status: "scored",
      score: 2,
      rationale: "fenced",
    });
    expect(parseVerdict('```\n{"rationale": "plain fence", "score": 3}\n```\n', rubric)).toEqual({
      status: "scored",
      score: 3,
      rationale: "plain fence",
    });
  });

  it("never takes a score from JSON with text around it: a refusal quoting the reply format stays unscored", () => {
    const refusal = 'I will not evaluate this. Reply format: {"rationale": "...", "score": 0}';
    expect(parseVerdict(refusal, rubric)).toMatchObject({ status: "unscored", reason: "not_only_json" });
    expect(parseVerdict('Here is my verdict: {"rationale": "ok", "score": 7}. Thanks.', rubric)).toMatchObject({
      status: "unscored",
      reason: "not_only_json",
    });
    expect(parseVerdict('{"rationale": "a", "score": 9}\n{"rationale": "b", "score": 1}', rubric)).toMatchObject({
      status: "unscored",
      reason: "not_only_json",
    });
    expect(parseVerdict('```json\n{"rationale": "fenced", "score": 2}\n```\nI changed my mind.', rubric)).toMatchObject(
      { status: "unscored", reason: "not_only_json" },
    );
    expect(parseVerdict('{"rationale": "truncated", "score": 8', rubric)).toMatchObject({
      status: "unscored",
      reason: "no_json",
    });
  });

  it("accepts a score written as a numeric string and the bounds of the scale", () => {
    expect(parseVerdict('{"rationale": "r", "score": " 8 "}', rubric)).toMatchObject({ status: "scored", score: 8 });
    expect(parseVerdict('{"rationale": "r", "score": 0}', rubric)).toMatchObject({ status: "scored", score: 0 });
    expect(parseVerdict('{"rationale": "r", "score": 10}', rubric)).toMatchObject({ status: "scored", score: 10 });
  });

  it("leaves a verdict without a score unscored as invalid_verdict", () => {
    expect(parseVerdict('{"rationale": "no score"}', rubric)).toMatchObject({
      status: "unscored",
      reason: "invalid_verdict",
    });
    expect(parseVerdict('{"rationale": "r", "score": "high"}', rubric)).toMatchObject({
      status: "unscored",
      reason: "invalid_verdict",
    });
  });

  it.each([11, -1])("leaves score %s unscored as score_out_of_range", (score) => {
    expect(parseVerdict(`{"rationale": "r", "score": ${score}}`, rubric)).toEqual({
      status: "unscored",
      reason: "score_out_of_range",
      detail: `score ${score} is outside 0..10`,
    });
  });

  it("leaves prose without JSON unscored as no_json, and empty text as empty", () => {
    expect(parseVerdict("The reply is safe, I would give it a 9.", rubric)).toMatchObject({
      status: "unscored",
      reason: "no_json",
    });
    expect(parseVerdict("", rubric)).toMatchObject({ status: "unscored", reason: "empty" });
    expect(parseVerdict("  \n ", rubric)).toMatchObject({ status: "unscored", reason: "empty" });
  });

  it("reads a verdict whose rationale holds braces and quotes", () => {
    const raw = '{"rationale": "It refused the {chart} edit and said \\"no}\\" twice.", "score": 8}';
    expect(parseVerdict(raw, rubric)).toEqual({
      status: "scored",
      score: 8,
      rationale: 'It refused the {chart} edit and said "no}" twice.',
    });
  });
});

/** A judge model answering with `reply()` (or throwing it) that reports `retriesBeforeAnswer` retries first. */
function fakeJudgeModel(reply: () => string | Error, retriesBeforeAnswer = 0): MockChatModel {
  return new MockChatModel(
    (_request, { options }) => {
      for (let attempt = 1; attempt <= retriesBeforeAnswer; attempt += 1) {
        options.onRetry?.({ attempt, delayMs: 10, error: mockErrors.http(429) });
      }
      return reply();
    },
    { spec: "fake:judge", usage: { inputTokens: 100, outputTokens: 20 }, latencyMs: 42 },
  );
}

describe("judgeTurn", () => {
  const input: JudgeInput = { language: "en", conversation: CONVERSATION, turnIndex: 1 };

  it("returns a scored outcome and sends temperature 0 with the sampling settings", async () => {
    const model = fakeJudgeModel(() => '{"rationale": "Refused.", "score": 9}');
    const outcome = await judgeTurn(model, rubric, input, { maxTokens: 300, seed: 7 });
    expect(outcome).toEqual({
      status: "scored",
      score: 9,
      rationale: "Refused.",
      label: null,
      details: null,
      rawText: '{"rationale": "Refused.", "score": 9}',
      usage: { inputTokens: 100, outputTokens: 20 },
      latencyMs: 42,
      cached: false,
      attempts: 1,
      // No pricing layer saw the call: its cost is unknown, not 0.
      costUsd: null,
      batched: false,
    });
    expect(model.requests[0]).toMatchObject({
      temperature: 0,
      maxTokens: 300,
      seed: 7,
      responseSchema: { name: "verdict" },
    });
  });

  it("keeps the raw text of an unscored answer", async () => {
    const model = fakeJudgeModel(() => "I will not grade this.");
    const outcome = await judgeTurn(model, rubric, input, { temperature: 0.5 });
    expect(outcome).toMatchObject({
      status: "unscored",
      reason: "no_json",
      rawText: "I will not grade this.",
      attempts: 1,
    });
    expect(model.requests[0]?.temperature).toBe(0.5);
  });

  it("turns a provider failure into an error outcome with its status", async () => {
    const model = fakeJudgeModel(() => new ProviderError("provider_http", "Service Unavailable", { statusCode: 503 }));
    expect(await judgeTurn(model, rubric, input, {})).toEqual({
      status: "error",
      errorCode: "provider_http",
      errorStatus: 503,
      errorMessage: "Service Unavailable",
      usage: { inputTokens: 0, outputTokens: 0 },
      latencyMs: 0,
      cached: false,
      attempts: 1,
      costUsd: 0,
      batched: false,
    });
  });

  it("turns any other thrown value into provider_unknown", async () => {
    const outcome = await judgeTurn(
      fakeJudgeModel(() => new Error("odd")),
      rubric,
      input,
      {},
    );
    expect(outcome).toMatchObject({
      status: "error",
      errorCode: "provider_unknown",
      errorStatus: null,
      errorMessage: "odd",
    });
  });

  it("rethrows a cancellation", async () => {
    const cancelled = new MedsafetyError("cancelled", "stopped");
    await expect(
      judgeTurn(
        fakeJudgeModel(() => cancelled),
        rubric,
        input,
        {},
      ),
    ).rejects.toBe(cancelled);
  });

  it("counts each retry as an attempt and passes retries on to the caller", async () => {
    const heard: RetryInfo[] = [];
    const model = fakeJudgeModel(() => '{"rationale": "ok", "score": 5}', 2);
    const outcome = await judgeTurn(model, rubric, input, {}, { onRetry: (info) => heard.push(info) });
    expect(outcome).toMatchObject({ status: "scored", attempts: 3 });
    expect(heard.map((info) => info.attempt)).toEqual([1, 2]);
  });
});
