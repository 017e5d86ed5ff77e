import { describe, expect, it } from "vitest";
import {
  addStrategy,
  discoveredStrategyId,
  EMPTY_LIBRARY,
  recordUses,
  retrieve,
  type StrategyCandidate,
  splitByEffect,
} from "./library.js";
import { type AttemptState, nextSeedStep, phasePlan, planGuidance, summaryPair } from "./steps.js";

const both = (value: string) => ({ ja: value, en: value });
const candidate = (
  name: string,
  embedding: number[],
  response: number[],
  gain: number,
  key = name,
): StrategyCandidate => ({
  summary: { name: both(name), definition: both(`${name} works`), example: both(`[${name}]`) },
  summaryKey: key,
  embedding: Float32Array.from(embedding),
  responseEmbedding: Float32Array.from(response),
  gain,
  attemptIds: [`${key}-weaker`, `${key}-stronger`],
  runId: "run",
  targetId: "target",
  discoveredAt: "2026-11-22T00:00:00.000Z",
});
const attempt = (score: number | null, embedding: number[] | null = null): AttemptState => ({
  key: `k${Math.random()}`,
  score,
  response: "r",
  responseEmbedding: embedding === null ? null : Float32Array.from(embedding),
});

describe("strategy library (pure)", () => {
  it("merges a near duplicate (cosine ≥ threshold) into the closest strategy, keeping lineage, and adds a new one otherwise", () => {
    const first = addStrategy(EMPTY_LIBRARY, candidate("Role play", [1, 0], [1, 0, 0], 3), 0.9);
    expect(first).toMatchObject({ merged: false, similarity: null });
    const near = addStrategy(first.library, candidate("Role-play again", [0.95, 0.1], [0, 1, 0], 2), 0.9);
    expect(near).toMatchObject({ merged: true, strategyId: first.strategyId });
    const merged = near.library.strategies.get(first.strategyId);
    expect(merged?.lineage.mergedIds).toEqual([
      discoveredStrategyId("Role-play again", candidate("Role-play again", [0], [0], 0).summary),
    ]);
    expect(merged?.lineage.attemptIds).toEqual([
      "Role play-weaker",
      "Role play-stronger",
      "Role-play again-weaker",
      "Role-play again-stronger",
    ]);
    expect(merged?.gains).toEqual([3, 2]);
    const far = addStrategy(near.library, candidate("Fiction", [0, 1], [0, 0, 1], 4), 0.9);
    expect(far.merged).toBe(false);
    expect(far.library.strategies.size).toBe(2);
    expect(far.library.keys).toHaveLength(3);
  });

  it("retrieves the top-K strategies by their best key, ties by discovery order; splits effective and ineffective", () => {
    let library = addStrategy(EMPTY_LIBRARY, candidate("One", [1, 0, 0], [1, 0], 1), 0.9).library;
    library = addStrategy(library, candidate("Two", [0, 1, 0], [0.6, 0.8], 2), 0.9).library;
    library = addStrategy(library, candidate("Three", [0, 0, 1], [0, 1], 3), 0.9).library;
    expect(
      retrieve(library, Float32Array.from([0, 2]), 3).map((entry) => [
        entry.strategy.name.en,
        Number(entry.similarity.toFixed(2)),
      ]),
    ).toEqual([
      ["Three", 1],
      ["Two", 0.8],
      ["One", 0],
    ]);
    expect(retrieve(library, Float32Array.from([0, 2]), 2)).toHaveLength(2);
    const ids = [...library.strategies.keys()];
    const used = recordUses(library, [ids[2] ?? ""], -5);
    const split = splitByEffect(retrieve(used, Float32Array.from([0, 1]), 3));
    expect(split.effective.map((entry) => entry.strategy.name.en)).toEqual(["Two", "One"]);
    expect(split.ineffective.map((entry) => [entry.strategy.name.en, entry.meanGain])).toEqual([["Three", -1]]);
  });

  it("ids are kebab-case, bounded and content-addressed", () => {
    const id = discoveredStrategyId("Ｒole play: the “doctor” persona, with a very long name that goes on and on", {
      a: 1,
    });
    expect(id).toMatch(/^d-[a-z0-9]+(?:-[a-z0-9]+)*-[0-9a-f]{6}$/);
    expect(id.length).toBeLessThanOrEqual(64);
    expect(discoveredStrategyId("ロールプレイ", { a: 1 })).toMatch(/^d-strategy-[0-9a-f]{6}$/);
  });
});

describe("discovery steps (pure)", () => {
  const settings = { maxIterations: 3, threshold: 8.5 };
  it("stops at the threshold or after max iterations", () => {
    expect(nextSeedStep([], settings)).toEqual({ kind: "attack", iteration: 0 });
    expect(nextSeedStep([attempt(3), attempt(null)], settings)).toEqual({ kind: "attack", iteration: 2 });
    expect(nextSeedStep([attempt(3), attempt(8.5)], settings)).toEqual({ kind: "stop", reason: "threshold" });
    expect(nextSeedStep([attempt(3), attempt(4), attempt(5)], settings)).toEqual({
      kind: "stop",
      reason: "max-iterations",
    });
    expect(phasePlan({ warmup: 1, lifelong: 2 })).toEqual([
      { phase: "warmup", pass: 0 },
      { phase: "lifelong", pass: 0 },
      { phase: "lifelong", pass: 1 },
    ]);
  });

  it("summarises when the last attempt beats the previous scored one (unscored attempts skipped)", () => {
    expect(summaryPair([attempt(2), attempt(null), attempt(5)])?.gain).toBe(3);
    expect(summaryPair([attempt(5), attempt(5)])).toBeUndefined();
    expect(summaryPair([attempt(5), attempt(null)])).toBeUndefined();
    expect(summaryPair([attempt(5)])).toBeUndefined();
  });

  it("guides the attacker only in the lifelong phase once a response exists", () => {
    const library = addStrategy(EMPTY_LIBRARY, candidate("One", [1], [1], 1), 0.9).library;
    expect(planGuidance("warmup", attempt(1, [1]), library, 5).effective).toEqual([]);
    expect(planGuidance("lifelong", undefined, library, 5).effective).toEqual([]);
    expect(
      planGuidance("lifelong", attempt(1, [1]), library, 5).effective.map((entry) => entry.strategy.name.en),
    ).toEqual(["One"]);
  });
});
