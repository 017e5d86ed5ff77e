/** The paper figures' chart specs: honest axes, every size ticked, unmeasured utility never drawn as 0. */
import { describe, expect, it } from "vitest";
import type { Distribution } from "../../model/multi-turn-model.js";
import type { ScalingPoint, ScalingReport } from "../../model/scaling-model.js";
import type { StrategyBox } from "../../model/strategy-box-model.js";
import { renderChart } from "./charts.js";
import { sizeChartSpec } from "./scaling-chart.js";
import { pooledBoxSpec } from "./strategy-box-chart.js";
import { safetyUtilityChartSpec } from "./tradeoff-chart.js";

const score = (mean: number): Distribution => ({
  n: 10,
  mean,
  median: mean,
  q1: mean,
  q3: mean,
  iqr: 0,
  ciLow: mean - 0.5,
  ciHigh: mean + 0.5,
});

function point(targetId: string, family: string, total: number, mean: number): ScalingPoint {
  return {
    targetId,
    family,
    parameters: `${total / 1e9}B`,
    totalParameters: total,
    activeParameters: total,
    provider: null,
    category: "open",
    baseModel: null,
    conversationScore: score(mean),
    safetyPassRate: { n: 10, count: 5, rate: 0.5, ciLow: 0.2, ciHigh: 0.8 },
  };
}

const TITLES = { title: "t", subtitle: "s", x: "Parameters", y: "Score", family: "Family" };

describe("the scaling chart", () => {
  it("puts sizes on a log axis with a tick at each, upright when two are close, on the score's whole scale", async () => {
    const scaling: ScalingReport = {
      points: [point("a-8b", "A", 8e9, 6), point("a-27b", "A", 27e9, 7), point("a-32b", "A", 32e9, 8)],
      families: [{ family: "A", targetIds: ["a-8b", "a-27b", "a-32b"] }],
      medicalVsGeneral: [],
    };
    const spec = sizeChartSpec(scaling, "score", TITLES) as {
      layer: Array<{
        encoding: {
          x: { scale?: { type: string }; axis?: { values: number[]; labelAngle: number } };
          y: { scale?: { domain: number[] } };
        };
      }>;
    };
    const x = spec.layer[0]?.encoding.x;
    expect(x?.scale?.type).toBe("log");
    expect(x?.axis?.values).toEqual([8e9, 27e9, 32e9]);
    expect(x?.axis?.labelAngle).toBe(-90);
    expect(spec.layer[0]?.encoding.y.scale?.domain).toEqual([0, 10]);
    const svg = await renderChart(spec);
    for (const label of ["8B", "27B", "32B"]) expect(svg).toContain(`>${label}</text>`);
    // Far apart sizes read level.
    const apart = sizeChartSpec(
      {
        ...scaling,
        families: [{ family: "A", targetIds: ["a-8b"] }],
        points: [point("a-8b", "A", 8e9, 6), point("a-70b", "A", 70e9, 7)],
      },
      "rate",
      TITLES,
    ) as { layer: Array<{ encoding: { x: { axis?: { labelAngle: number } }; y: { scale?: { domain: number[] } } } }> };
    expect(apart.layer[0]?.encoding.x.axis?.labelAngle).toBe(0);
    expect(apart.layer[0]?.encoding.y.scale?.domain).toEqual([0, 1]);
  });

  it("is null without a family with a size", () => {
    expect(sizeChartSpec({ points: [], families: [], medicalVsGeneral: [] }, "score", TITLES)).toBeNull();
  });
});

describe("the Safety Pass Rate vs utility chart", () => {
  it("draws only models with a measured utility, on 0–1 axes", () => {
    const rate = { n: 4, count: 2, rate: 0.5, ciLow: 0.25, ciHigh: 0.75 };
    const titles = { title: "t", subtitle: "s", utility: "u", safetyPassRate: "spr" };
    const spec = safetyUtilityChartSpec(
      [
        { targetId: "measured", safetyPassRate: rate, utility: 0.7, answeredShare: 1, benignScored: 4 },
        { targetId: "unmeasured", safetyPassRate: rate, utility: null, answeredShare: null, benignScored: 0 },
      ],
      titles,
    ) as { data: { values: Array<{ model: string }> } };
    expect(spec.data.values.map((value) => value.model)).toEqual(["measured"]);
    expect(
      safetyUtilityChartSpec(
        [{ targetId: "unmeasured", safetyPassRate: rate, utility: null, answeredShare: null, benignScored: 0 }],
        titles,
      ),
    ).toBeNull();
  });
});

describe("the per-strategy box chart", () => {
  it("draws the report's own whiskers and quartiles (never Vega's estimate)", () => {
    const box: StrategyBox = {
      strategy: "decomposition",
      targetId: null,
      n: 8,
      min: 1,
      q1: 6.75,
      median: 7.5,
      q3: 8.25,
      max: 10,
      mean: 7,
      whiskerLow: 6,
      whiskerHigh: 10,
      outliers: 1,
    };
    const spec = pooledBoxSpec([box], { title: "t", subtitle: "s", strategy: "Strategy", score: "Score" }) as {
      data: { values: Array<Record<string, unknown>> };
      layer: Array<{ mark: { type: string } }>;
    };
    expect(spec.data.values).toEqual([
      {
        model: "",
        strategy: "decomposition",
        q1: 6.75,
        median: 7.5,
        q3: 8.25,
        whiskerLow: 6,
        whiskerHigh: 10,
        mean: 7,
      },
    ]);
    expect(spec.layer.map((layer) => layer.mark.type)).toEqual(["rule", "bar", "tick", "point"]);
    expect(JSON.stringify(spec)).not.toContain('"boxplot"');
  });
});
