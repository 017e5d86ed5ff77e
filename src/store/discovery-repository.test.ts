import { describe, expect, it } from "vitest";
import { openStore } from "./database.js";
import { type DiscoveryAttemptRow, DiscoveryRepository } from "./discovery-repository.js";
import { GenerationRepository } from "./generation-repository.js";
import { MIGRATIONS } from "./migrations.js";

const attempt = (overrides: Partial<DiscoveryAttemptRow> = {}): DiscoveryAttemptRow => ({
  key: "a1",
  runId: "run",
  seedId: "s",
  language: "en",
  phase: "warmup",
  pass: 0,
  iteration: 0,
  attackerId: "atk",
  targetId: "t",
  status: "scored",
  prompt: "p",
  response: "r",
  score: 3,
  rationale: "x",
  previousKey: null,
  gain: null,
  effectiveJson: "[]",
  ineffectiveJson: "[]",
  responseEmbeddingKey: null,
  detail: null,
  createdAt: "2026-11-22T00:00:00.000Z",
  ...overrides,
});

describe("migration 7: strategy discovery", () => {
  it("adds the discovery tables; an attempt written again keeps its first time; a scored attempt needs a score", () => {
    expect(MIGRATIONS.find((migration) => migration.version === 7)).toMatchObject({ name: "strategy-discovery" });
    const { db } = openStore(":memory:");
    new GenerationRepository(db).createRun({ id: "run", command: "discover", params: {}, packageVersion: "test" });
    const repository = new DiscoveryRepository(db);
    repository.saveAttempt(attempt());
    repository.saveAttempt(attempt({ score: 4, createdAt: "2026-11-23T00:00:00.000Z" }));
    expect(repository.attempts("run")).toEqual([attempt({ score: 4 })]);
    expect(() => repository.saveAttempt(attempt({ key: "a2", score: null }))).toThrow(/CHECK constraint/);
    repository.saveEmbedding(
      "e1",
      { id: "emb", spec: "openai:x" },
      Buffer.from(Float32Array.from([1, 2]).buffer),
      2,
      3,
    );
    expect(repository.lookupEmbedding("e1")?.inputTokens).toBe(3);
    expect(repository.latestRun()).toBe("run");
    db.close();
  });
});
