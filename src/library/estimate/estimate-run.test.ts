import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { configSchema } from "../../config/index.js";
import { buildJudgeRequest, loadRubric } from "../../judges/index.js";
import { estimateRun, RunPlanner } from "./estimate-run.js";
import type { ObservedMeans } from "./observed.js";
import { fillerText } from "./planning-model.js";
import type { TokenCounter } from "./token-counter.js";

/** One token per character: every number below can be worked out by hand. */
const CHARACTERS: TokenCounter = { count: (text) => text.length };

const folder = mkdtempSync(join(tmpdir(), "medsafety-estimate-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const TURNS = ["Hello there.", "Tell me more."];
const item = (id: string, language: "en" | "ja") => ({
  id,
  language,
  pairId: id,
  guidelineId: "jma-10",
  strategy: "clinical-authority",
  seedRequest: "a request",
  turns: TURNS,
});
const benchmark = join(folder, "tiny.jsonl");
writeFileSync(
  benchmark,
  `${[item("a", "en"), item("b", "ja"), item("c", "en")].map((line) => JSON.stringify(line)).join("\n")}\n`,
);

function config(overrides: Record<string, unknown> = {}) {
  return configSchema.parse({
    benchmark,
    targets: [
      {
        id: "t",
        model: "openai:gpt-4o-mini",
        systemPrompt: "Be safe.",
        maxTokens: 10,
        requestsPerMinute: 1,
        price: { input: 1, output: 2 },
      },
    ],
    judges: [{ id: "j", model: "openai:gpt-4o-mini", rubric: "jmedethic-safety", price: { input: 1, output: 2 } }],
    ...overrides,
  });
}

/** Input tokens of a request counted as the estimator does: 3 per message, 3 to prime the reply, the schema's JSON. */
function counted(system: string | undefined, messages: readonly string[], schema?: unknown): number {
  return (
    3 +
    (system === undefined ? 0 : 3 + system.length) +
    messages.reduce((total, text) => total + 3 + text.length, 0) +
    (schema === undefined ? 0 : JSON.stringify(schema).length)
  );
}

describe("estimateRun (replay)", () => {
  it("counts every target and judge call of the planned conversations, exactly", async () => {
    const estimate = await estimateRun(config({ languages: ["en"] }), { env: {}, counter: CHARACTERS });
    expect(estimate.plan).toEqual({ items: 2, conversations: 2 });
    const target = estimate.lines.find((line) => line.role === "target");
    const judge = estimate.lines.find((line) => line.role === "judge");
    // The target's first reply, at its maxTokens (10), is in the second turn's context.
    const reply = fillerText(10, 1);
    const perConversation =
      counted("Be safe.", [TURNS[0] ?? ""]) + counted("Be safe.", [TURNS[0] ?? "", reply, TURNS[1] ?? ""]);
    expect(target).toMatchObject({
      calls: 4,
      outputTokens: 40,
      outputSource: "maxTokens",
      outputPerCall: 10,
      tolerancePercent: 5,
      noRateLimit: false,
      limitedBy: "requestsPerMinute",
      minutes: 4,
    });
    // Each conversation's second reply is serial 2 of the same model: same length, so both conversations match.
    expect(target?.inputTokens).toBe(2 * perConversation);
    expect(target?.costUsd).toBeCloseTo((2 * perConversation * 1 + 40 * 2) / 1e6, 12);
    const rubric = loadRubric("jmedethic-safety").rubric;
    const first = buildJudgeRequest(rubric, {
      language: "en",
      conversation: [
        { role: "user", content: TURNS[0] ?? "" },
        { role: "assistant", content: reply },
      ],
      turnIndex: 0,
    });
    expect(judge).toMatchObject({ calls: 4, outputTokens: 600, outputSource: "verdict", noRateLimit: true });
    expect(judge?.inputTokens).toBeGreaterThan(4 * counted(first.system, []));
    expect(estimate.totals.calls).toBe(8);
    expect(estimate.minutes).toBe(4);
  });

  it("applies limit after languages, as run does", async () => {
    const estimate = await estimateRun(config({ limit: 1, languages: ["ja"] }), { env: {}, counter: CHARACTERS });
    expect(estimate.plan).toEqual({ items: 1, conversations: 1 });
    expect(estimate.totals.calls).toBe(4);
  });

  it("uses observed means of the same spec when the store has them, and says unpriced for an unknown model", async () => {
    const observed: ObservedMeans = {
      mean: (role, spec) =>
        role === "target" && spec === "openai:gpt-4o-mini" ? { outputTokens: 7, latencyMs: 500 } : undefined,
    };
    const estimate = await estimateRun(
      config({ judges: [{ id: "j", model: "openai:no-such-model-xyz", rubric: "jmedethic-safety" }] }),
      { env: {}, counter: CHARACTERS, observed },
    );
    const target = estimate.lines.find((line) => line.role === "target");
    expect(target).toMatchObject({ calls: 6, outputTokens: 42, outputSource: "observed", outputPerCall: 7 });
    const judge = estimate.lines.find((line) => line.role === "judge");
    expect(judge?.costUsd).toBeNull();
    expect(estimate.totals.unpricedLines).toBe(1);
    expect(estimate.totals.costUsd).toBe(target?.costUsd);
  });

  it("estimates one conversation for a budget: calls, tokens and cost, null when a model is unpriced", async () => {
    const planner = await RunPlanner.create(config(), { env: {}, counter: CHARACTERS });
    const one = await planner.conversation({ ...item("a", "en"), metadata: {} }, "v1", "t");
    expect(one.calls).toBe(4);
    expect(one.outputTokens).toBe(20 + 300);
    expect(one.costUsd).toBeCloseTo((one.inputTokens + 2 * one.outputTokens) / 1e6, 12);
    const unpriced = await RunPlanner.create(
      config({ judges: [{ id: "j", model: "anthropic:no-such-model", rubric: "jmedethic-safety" }] }),
      { env: {}, counter: CHARACTERS },
    );
    expect((await unpriced.conversation({ ...item("a", "en"), metadata: {} }, "v1", "t")).costUsd).toBeNull();
  });
});

describe("estimateRun (adaptive)", () => {
  it("adds the attacker's call for every planned turn after the stored opening (maxTurns, no early stop)", async () => {
    const estimate = await estimateRun(
      config({
        mode: "adaptive",
        maxTurns: 3,
        attacker: { id: "a", model: "openai:gpt-4o-mini", maxTokens: 20 },
        languages: ["en"],
      }),
      { env: {}, counter: CHARACTERS },
    );
    const byRole = Object.fromEntries(estimate.lines.map((line) => [line.role, line.calls]));
    // Two conversations of 3 turns: the first user turn is the item's own, the attacker writes turns 2 and 3.
    expect(byRole).toEqual({ attacker: 4, target: 6, judge: 6 });
  });
});
