import { describe, expect, it } from "vitest";
import { openStore } from "./database.js";
import { GenerationRepository, type GenerationTaskRow } from "./generation-repository.js";

function row(
  key: string,
  status: GenerationTaskRow["status"],
  extra: Partial<GenerationTaskRow> = {},
): GenerationTaskRow {
  return {
    key,
    runId: "gen-1",
    kind: "conversation",
    subject: "seed-1",
    modelId: "atk-a",
    modelSpec: "openai:x",
    promptHash: "p",
    inputJson: "{}",
    status,
    rawOutput: status === "error" ? null : "raw",
    outputJson: status === "success" ? '{"turns":["a"]}' : null,
    errorCode: status === "success" ? null : "invalid_output",
    errorMessage: status === "success" ? null : "bad",
    attempts: 1,
    inputTokens: 10,
    outputTokens: 5,
    latencyMs: 3,
    createdAt: "2026-01-01T00:00:00.000Z",
    ...extra,
  };
}

describe("GenerationRepository", () => {
  it("stores runs and tasks, reads queued rows before they are committed, and replaces a key", () => {
    const { db } = openStore(":memory:");
    const store = new GenerationRepository(db, { flushIntervalMs: 10_000 });
    store.createRun({ id: "gen-1", command: "generate conversations", params: { turns: 3 }, packageVersion: "0.1.0" });
    store.save(row("k1", "failed"));
    expect(store.lookup("k1")?.status).toBe("failed");
    store.flush();
    store.save(row("k1", "success", { attempts: 2 }));
    store.save(row("k2", "error", { modelId: "atk-b" }));
    store.flush();
    expect(store.lookup("k1")).toMatchObject({ status: "success", attempts: 2, outputJson: '{"turns":["a"]}' });
    expect(store.counts()).toEqual([
      { kind: "conversation", modelId: "atk-a", status: "success", count: 1 },
      { kind: "conversation", modelId: "atk-b", status: "error", count: 1 },
    ]);
    expect(store.failures().map((failure) => failure.key)).toEqual(["k2"]);
    expect(
      store
        .tasksOf("seed-1")
        .map((task) => task.key)
        .sort(),
    ).toEqual(["k1", "k2"]);
    store.finishRun("gen-1", "success", { conversations: 1 });
    expect(store.getRun("gen-1")).toMatchObject({
      status: "success",
      summary: { conversations: 1 },
      params: { turns: 3 },
    });
  });

  it("refuses a success row without an output (CHECK) and keeps the rows queued after a failed commit", () => {
    const { db } = openStore(":memory:");
    const store = new GenerationRepository(db);
    store.createRun({ id: "gen-1", command: "x", params: {}, packageVersion: "0" });
    store.save(row("bad", "success", { outputJson: null }));
    expect(() => store.flush()).toThrow(/Cannot write generation results/);
    expect(() => store.save(row("k3", "success"))).toThrow();
  });

  it("records the run's end even when the final flush fails: status error, both messages, the flush failure thrown", () => {
    const { db } = openStore(":memory:");
    const store = new GenerationRepository(db, { flushIntervalMs: 10_000 });
    store.createRun({ id: "gen-1", command: "x", params: {}, packageVersion: "0" });
    store.save(row("bad", "success", { outputJson: null }));
    expect(() => store.finishRun("gen-1", "error", {}, "the attacker crashed")).toThrow(
      /Cannot write generation results/,
    );
    const run = store.getRun("gen-1");
    expect(run?.status).toBe("error");
    expect(run?.errorMessage).toMatch(
      /^the attacker crashed Also, storing the last tasks failed: Cannot write generation results/,
    );
    expect(run?.finishedAt).not.toBeNull();
  });
});
