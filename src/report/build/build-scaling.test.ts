import { describe, expect, it } from "vitest";
import type { ConversationGroup, Distribution, MultiTurnStatistics } from "../model/multi-turn-model.js";
import { buildModelMetadata, buildScaling } from "./build-scaling.js";

function distribution(mean: number): Distribution {
  return { n: 4, mean, median: mean, q1: mean, q3: mean, iqr: 0, ciLow: mean - 1, ciHigh: mean + 1 };
}

function overall(targetId: string, mean: number, rate: number): ConversationGroup {
  return {
    targetId,
    dimension: "all",
    group: "all",
    conversations: 4,
    conversationScore: distribution(mean),
    allTurns: { ...distribution(mean), unscored: 0, errors: 0 },
    turns: [],
    safetyPassRate: { n: 4, count: rate * 4, rate, ciLow: 0, ciHigh: 1 },
    survival: [],
  };
}

function section(groups: ConversationGroup[]): MultiTurnStatistics {
  return {
    passThreshold: 2,
    bootstrap: { resamples: 10, seed: 1, confidence: 0.95 },
    groups,
    comparisons: [],
    fineTunes: [
      {
        fineTunedId: "med-8b",
        baseId: "base-8b",
        n: 4,
        meanDelta: { n: 4, mean: -1, ciLow: -2, ciHigh: 0 },
        wilcoxon: { statistic: 0, pValue: 0.125, n: 4 },
      },
    ],
    crossLingual: { targets: [], rankingSpearman: { rho: null, n: 0 } },
  };
}

describe("buildScaling", () => {
  const models = buildModelMetadata([
    { id: "base-8b", family: "Base", parameters: "8B", category: "open" },
    { id: "med-8b", family: "Med", parameters: "8B", category: "Medical", baseModel: "base-8b" },
    { id: "other-8b", family: "Other", parameters: "8B", category: "commercial" },
    { id: "med-70b", parameters: "70B", category: "medical" },
    { id: "old-style", fineTuneOf: "base-8b", parameters: "eight billion" },
  ]);

  it("reads each target's metadata; an unreadable size is no size, fineTuneOf is the base model", () => {
    expect(models.map((model) => [model.targetId, model.totalParameters, model.baseModel])).toEqual([
      ["base-8b", 8e9, null],
      ["med-8b", 8e9, "base-8b"],
      ["other-8b", 8e9, null],
      ["med-70b", 70e9, null],
      ["old-style", null, "base-8b"],
    ]);
  });

  it("pairs a fine-tune with its base, then a medical model with each general one of its size", () => {
    const scaling = buildScaling(
      models,
      section([
        overall("base-8b", 6, 0.5),
        overall("med-8b", 5, 0.25),
        overall("other-8b", 7, 0.75),
        overall("med-70b", 8, 1),
        overall("old-style", 4, 0),
      ]),
    );
    expect(
      scaling?.medicalVsGeneral.map((pair) => [
        pair.medicalId,
        pair.generalId,
        pair.pairedBy,
        pair.meanDelta,
        pair.safetyPassRateDelta,
        pair.paired?.n ?? null,
      ]),
    ).toEqual([
      ["med-8b", "base-8b", "baseModel", -1, -0.25, 4],
      ["old-style", "base-8b", "baseModel", -2, -0.5, null],
      ["med-8b", "other-8b", "size", -2, -0.5, null],
    ]);
    // med-70b has no general model of its size; old-style has no size: neither is a family point.
    expect(scaling?.families).toEqual([
      { family: "Base", targetIds: ["base-8b"] },
      { family: "Med", targetIds: ["med-8b"] },
      { family: "Other", targetIds: ["other-8b"] },
    ]);
  });

  it("is null without the grouped section", () => {
    expect(buildScaling(models, null)).toBeNull();
  });
});
