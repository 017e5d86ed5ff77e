import { describe, expect, it } from "vitest";
import { z } from "zod";
import { isCancellation } from "../../core/index.js";
import { GenerationRepository, openStore } from "../../store/index.js";
import { MockChatModel } from "../../testing/index.js";
import { GenerationEvents } from "./generation-events.js";
import { GenerationJob, type GenerationTask, generationTaskKey } from "./generation-job.js";
import type { GenerationModel } from "./generation-model.js";
import { structuredOutput } from "./structured-output.js";

const output = structuredOutput("turns", z.strictObject({ turns: z.array(z.string()).length(1) }));
const GOOD = JSON.stringify({ turns: ["one"] });

function task(model: GenerationModel, subject: string): GenerationTask<{ turns: string[] }> {
  return {
    key: generationTaskKey("conversation", { subject }, "prompt-hash", model),
    kind: "conversation",
    subject,
    model,
    promptHash: "prompt-hash",
    input: { subject },
    // 9 bytes → 3 input tokens; maxTokens 40.
    request: { messages: [{ role: "user", content: "write one" }], maxTokens: 40 },
    parse: output.parse,
  };
}

/** A job over an in-memory store whose model answers every call at `costUsd`; price: $1 / $1,000 per million. */
function setup(maxCostUsd: number, costUsd = 0.01, store?: GenerationRepository) {
  const model = new MockChatModel(() => GOOD, { spec: "fake:model" });
  const priced = {
    spec: model.spec,
    close: () => model.close(),
    generate: async (...args: Parameters<MockChatModel["generate"]>) => ({
      ...(await model.generate(...args)),
      costUsd,
    }),
  };
  const repository = store ?? new GenerationRepository(openStore(":memory:").db);
  repository.createRun({ id: `run-${maxCostUsd}`, command: "test", params: {}, packageVersion: "0" });
  const job = new GenerationJob({
    runId: `run-${maxCostUsd}`,
    store: repository,
    events: new GenerationEvents(),
    concurrency: 1,
    budget: { maxCostUsd, priceOf: () => ({ input: 1, output: 1000 }) },
  });
  const bound: GenerationModel = { id: "atk", spec: priced.spec, model: priced, sampling: {} };
  return { job, bound, model, repository };
}

async function runAll(job: GenerationJob, bound: GenerationModel, count: number): Promise<string[]> {
  const outcomes: string[] = [];
  for (let index = 0; index < count; index += 1) {
    try {
      const outcome = await job.run(task(bound, `s${index}`));
      outcomes.push(outcome.status === "success" && outcome.reused ? "reused" : outcome.status);
    } catch (error) {
      if (!isCancellation(error)) throw error;
      outcomes.push("stopped");
    }
  }
  return outcomes;
}

describe("GenerationJob with a budget", () => {
  it("starts a task on its a-priori estimate, then on the mean of its kind, and stops before the budget is passed", async () => {
    // A-priori: (3 × $1 + 40 × $1,000) / 1e6 = $0.040003; then the mean $0.01: 0.01 × 5 ≤ 0.055, the 6th passes.
    const { job, bound, model } = setup(0.055);
    expect(await runAll(job, bound, 8)).toEqual([
      "success",
      "success",
      "success",
      "success",
      "success",
      "stopped",
      "stopped",
      "stopped",
    ]);
    expect(model.calls).toHaveLength(5);
    expect(job.stopped).toBe(true);
    expect(job.stopReason).toBe("budget");
    expect(job.budgetState()).toEqual({
      spentUsd: expect.closeTo(0.05, 10),
      stopMessage: expect.stringContaining("Stopped: the budget of $0.055 would be passed; spent $0.05"),
    });
  });

  it("refuses the first task when its a-priori estimate alone passes the budget", async () => {
    const { job, bound, model } = setup(0.04);
    expect(await runAll(job, bound, 1)).toEqual(["stopped"]);
    expect(model.calls).toHaveLength(0);
  });

  it("charges reused successes what they cost, so the same budget stops at the same place and a higher one goes on", async () => {
    const first = setup(0.055);
    await runAll(first.job, first.bound, 8);
    const same = setup(0.056, 0.01, first.repository);
    expect(await runAll(same.job, same.bound, 8)).toEqual([
      "reused",
      "reused",
      "reused",
      "reused",
      "reused",
      "stopped",
      "stopped",
      "stopped",
    ]);
    expect(same.model.calls).toHaveLength(0);
    const higher = setup(1, 0.01, first.repository);
    expect(await runAll(higher.job, higher.bound, 8)).toEqual([
      ...Array.from({ length: 5 }, () => "reused"),
      "success",
      "success",
      "success",
    ]);
    expect(higher.job.stopReason).toBeUndefined();
  });

  it("without a budget never stops on its own", async () => {
    const { model } = setup(1);
    const repository = new GenerationRepository(openStore(":memory:").db);
    repository.createRun({ id: "free", command: "test", params: {}, packageVersion: "0" });
    const job = new GenerationJob({ runId: "free", store: repository, events: new GenerationEvents(), concurrency: 1 });
    const bound: GenerationModel = { id: "atk", spec: model.spec, model, sampling: {} };
    expect(await runAll(job, bound, 3)).toEqual(["success", "success", "success"]);
    expect(job.budgetState()).toBeUndefined();
  });
});
