import type { FixtureHandler, FixtureReply, FixtureRequest } from "../../src/testing/index.js";
import type { FixtureRunRecipe } from "../support/fixture-stores.js";

/**
 * A deterministic world for e2e runs. Targets answer `[<model>] turn <t>`; judges (grader-a, grader-b) read the
 * judged reply (the last such tag in their prompt) and score from the tables below, so every report value can be
 * computed by hand. `safe-model` fails with 500 on turn 2 of the item whose turns mention ITEM-B; grader-b refuses
 * to grade weak-model's turn 1 of ITEM-C (unscored).
 */
export const SCORES: Record<string, Record<string, readonly number[]>> = {
  "grader-a": { "safe-model": [9, 8, 7], "weak-model": [8, 5, 2] },
  "grader-b": { "safe-model": [10, 8, 6], "weak-model": [8, 1, 1] },
};

export const TOKENS = { inputTokens: 10, outputTokens: 5 };

/** Switches of the scenario that a test may flip (the fixture server runs in the test's process). */
export const scenarioState = { failSafeItemB: true };

function lastUser(request: FixtureRequest): string {
  return request.messages.filter((message) => message.role === "user").at(-1)?.content ?? "";
}

export const scenarioHandler: FixtureHandler = (request) => {
  const table = SCORES[request.model];
  if (table === undefined) {
    const turn = request.messages.filter((message) => message.role === "user").length - 1;
    const conversation = request.messages.map((message) => message.content).join("\n");
    if (
      scenarioState.failSafeItemB &&
      request.model === "safe-model" &&
      turn === 2 &&
      conversation.includes("ITEM-B")
    ) {
      return { kind: "error", status: 500, body: { error: { message: "fixture failure", type: "server_error" } } };
    }
    // MedSafetyBench items (no ITEM- marker): the reply carries the parity of the request's length, which the
    // harm judges below turn into a score, so tests can compute expected means from the data.
    const suffix = conversation.includes("ITEM-") ? "" : ` p${lastUser(request).length % 2}`;
    return { kind: "text", text: `[${request.model}] turn ${turn}${suffix}`, ...TOKENS };
  }
  if (request.jsonSchema !== undefined && harmScale(request.jsonSchema)) return harmVerdict(request);
  const prompt = lastUser(request);
  const tags = [...prompt.matchAll(/\[(safe-model|weak-model)\] turn (\d)/g)];
  const judged = tags.at(-1);
  const target = judged?.[1] ?? "";
  const turn = Number(judged?.[2] ?? -1);
  if (request.model === "grader-b" && target === "weak-model" && turn === 1 && prompt.includes("ITEM-C")) {
    return { kind: "text", text: "I refuse to grade this conversation.", ...TOKENS };
  }
  const score = table[target]?.[turn];
  if (score === undefined) return { kind: "text", text: "no score", ...TOKENS };
  return { kind: "json", value: { rationale: `${request.model} on ${target} turn ${turn}`, score }, ...TOKENS };
};

/** True for a verdict schema on the 1–5 harmfulness scale (medsafetybench-harm). */
function harmScale(schema: Record<string, unknown>): boolean {
  const score = (schema["properties"] as { score?: { maximum?: number } } | undefined)?.score;
  return score?.maximum === 5;
}

/**
 * Harmfulness verdicts: safe-model 1 from both judges; weak-model 4 from grader-a, and from grader-b 5 when the
 * request's length is even (reply tag p0), else 3.
 */
export function expectedHarm(
  target: "safe-model" | "weak-model",
  judge: "grader-a" | "grader-b",
  requestLength: number,
): number {
  if (target === "safe-model") return 1;
  if (judge === "grader-a") return 4;
  return requestLength % 2 === 0 ? 5 : 3;
}

function harmVerdict(request: FixtureRequest): FixtureReply {
  const tag = /\[(safe-model|weak-model)\] turn 0 p([01])/.exec(lastUser(request));
  if (tag === null) return { kind: "text", text: "no tag", ...TOKENS };
  const target = tag[1] as "safe-model" | "weak-model";
  const score = expectedHarm(target, request.model as "grader-a" | "grader-b", Number(tag[2]));
  return { kind: "json", value: { rationale: `${request.model} harm`, score }, ...TOKENS };
}

/** Three conversations: A (en, 3 turns), B (ja, 3 turns), C (en, 2 turns). */
export const SCENARIO_ITEMS = [
  {
    id: "item-a",
    language: "en",
    pairId: "p-a",
    guidelineId: "jma-10",
    strategy: "clinical-authority",
    seedRequest: "ITEM-A seed",
    turns: ["ITEM-A first", "ITEM-A second", "ITEM-A third"],
  },
  {
    id: "item-b",
    language: "ja",
    pairId: "p-a",
    guidelineId: "jma-10",
    strategy: "clinical-authority",
    seedRequest: "ITEM-B 依頼",
    turns: ["ITEM-B 一つ目", "ITEM-B 二つ目", "ITEM-B 三つ目"],
  },
  {
    id: "item-c",
    language: "en",
    guidelineId: "jma-17",
    strategy: "decomposition",
    seedRequest: "ITEM-C seed",
    turns: ["ITEM-C first", "ITEM-C second"],
  },
];

/** A config for the scenario against a fixture server at `baseURL`. */
export function scenarioConfig(baseURL: string, extra = ""): string {
  return `benchmark: ./bench.jsonl
targets:
  - { id: safe, model: "openai-compatible:safe-model", baseURL: "${baseURL}", retries: 1, temperature: 0 }
  - { id: weak, model: "openai-compatible:weak-model", baseURL: "${baseURL}", retries: 1, temperature: 0 }
judges:
  - { id: judge-a, model: "openai-compatible:grader-a", baseURL: "${baseURL}" }
  - { id: judge-b, model: "openai-compatible:grader-b", baseURL: "${baseURL}" }
store: ./store.db
concurrency: 4
# The scenario fails on purpose (a 500 turn, an unscored verdict): 1 of 8 calls; these tests are about results.
maxErrorRate: 0.2
${extra}`;
}

/** The scenario's run as a shared fixture store (test/support/fixture-stores.ts): built once, copied per test file. */
export const SCENARIO_RUN: FixtureRunRecipe = {
  items: SCENARIO_ITEMS,
  config: (baseURL) => scenarioConfig(baseURL),
  handler: scenarioHandler,
};
