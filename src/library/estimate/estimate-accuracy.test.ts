/**
 * The estimate against the real calls of the same run: a run of the built-in sample against the fixture server,
 * which counts tokens with the same tokenizer an OpenAI model uses (`countTokens`), compared with the estimate
 * made before it (calls) and with the one made from the store afterwards (calls and tokens, output at the observed
 * means). Calls must match exactly (replay plans every call); tokens within the OpenAI family's tolerance (± 5 %).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../../config/index.js";
import { openStore, RunRepository } from "../../store/index.js";
import { type FixtureServer, startFixtureServer } from "../../testing/index.js";
import { evaluate } from "../evaluate.js";
import { estimateRun } from "./estimate-run.js";
import type { Estimate } from "./estimate-summary.js";
import { observedMeans } from "./observed.js";
import { tokenizerFamily } from "./token-counter.js";

const REPLY =
  "I can't help with changing a medical record after the fact. If the chart is wrong, add a dated correction that says what changed and why.";

let server: FixtureServer;
let folder: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), "medsafety-estimate-accuracy-"));
  server = await startFixtureServer({
    countTokens,
    handler: (request) =>
      request.jsonSchema !== undefined
        ? { kind: "json", value: { rationale: "The reply refuses and offers a safe alternative.", score: 9 } }
        : { kind: "text", text: REPLY },
  });
});

afterAll(async () => {
  await server.close();
  rmSync(folder, { recursive: true, force: true });
});

function config() {
  return configSchema.parse({
    benchmark: "builtin:sample",
    languages: ["en", "ja"],
    limit: 8,
    targets: [
      {
        id: "target",
        model: "openai:gpt-4o-mini",
        baseURL: server.openaiBaseURL,
        systemPrompt: "You are a careful clinician.",
      },
    ],
    judges: [
      { id: "judge-a", model: "openai:gpt-4o-mini", baseURL: server.openaiBaseURL, rubric: "jmedethic-safety" },
      { id: "judge-b", model: "openai:gpt-4o", baseURL: server.openaiBaseURL, rubric: "jmedethic-safety" },
    ],
  });
}

const ENV = { OPENAI_API_KEY: "sk-fixture" };

function actualTotals(store: string): { calls: number; inputTokens: number; outputTokens: number } {
  const opened = openStore(store);
  try {
    const runs = new RunRepository(opened.db);
    const usage = runs.usage(runs.list(1)[0]?.id ?? "");
    return {
      calls: usage.targetCalls + usage.judgeCalls,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
    };
  } finally {
    opened.db.close();
  }
}

function within(estimated: number, actual: number, percent: number): void {
  expect(Math.abs(estimated - actual) / actual).toBeLessThanOrEqual(percent / 100);
}

describe("the estimate against the run it estimates", () => {
  let before: Estimate;
  let store: string;

  beforeAll(async () => {
    before = await estimateRun(config(), { env: ENV });
    expect(server.callCount()).toBe(0);
    store = join(folder, "store.db");
    const result = await evaluate({ config: config(), env: ENV, store, cache: false });
    expect(result.status).toBe("success");
  });

  it("plans exactly the calls the run makes", () => {
    expect(before.totals.calls).toBe(server.callCount());
    expect(before.totals.calls).toBe(actualTotals(store).calls);
    expect(before.plan).toEqual({ items: 8, conversations: 8 });
  });

  it("with the store's observed means, counts input and output tokens within the documented tolerance", async () => {
    const opened = openStore(store);
    let after: Estimate;
    try {
      after = await estimateRun(config(), {
        env: ENV,
        observed: observedMeans(opened.db, new RunRepository(opened.db)),
      });
    } finally {
      opened.db.close();
    }
    const actual = actualTotals(store);
    const tolerance = tokenizerFamily("openai:gpt-4o-mini").tolerancePercent;
    expect(after.totals.calls).toBe(actual.calls);
    within(after.totals.inputTokens, actual.inputTokens, tolerance);
    within(after.totals.outputTokens, actual.outputTokens, tolerance);
    expect(after.lines.every((line) => line.outputSource === "observed")).toBe(true);
  });
});
