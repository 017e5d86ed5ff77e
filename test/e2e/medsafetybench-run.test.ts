import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMedSafetyBench } from "../../src/datasets/index.js";
import { type FixtureServer, startFixtureServer } from "../../src/testing/index.js";
import { runInProcess } from "../support/in-process-cli.js";
import { MEDSAFETYBENCH_DATA, skipWithout } from "../support/requirements.js";
import { printedRunId, REPO_ROOT, tempProject, writeJsonl } from "./cli-harness.js";
import { expectedHarm, SCENARIO_ITEMS, scenarioConfig, scenarioHandler } from "./scenario.js";

const DATA = join(REPO_ROOT, "../shared/data/medsafetybench");

/** Mean and standard error (sample sd / √n), computed here independently of the report code. */
function meanSem(values: readonly number[]): { mean: number; sem: number } {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
  return { mean, sem: Math.sqrt(variance / values.length) };
}

describe.skipIf(skipWithout(MEDSAFETYBENCH_DATA))("MedSafetyBench run mixed with a multi-turn benchmark (e2e)", () => {
  let server: FixtureServer;
  let folder: string;
  let report: {
    targets: Array<{ targetId: string; conversations: number }>;
    scales: Array<{
      rubric: { id: string; flagAtOrAbove?: number };
      medicalVsGeneral: Array<Record<string, unknown>>;
      targets: Array<
        Record<string, unknown> & {
          key: string;
          byGuideline: Array<{ key: string; n: number; mean: number }>;
          bySource: Array<{ key: string; n: number }>;
        }
      >;
    }>;
    run: { rubrics: Array<{ id: string }>; itemCount?: number };
  };

  beforeAll(async () => {
    server = await startFixtureServer({ handler: scenarioHandler, record: false });
    folder = tempProject("medsafety-msb-");
    writeJsonl(join(folder, "bench.jsonl"), SCENARIO_ITEMS);
    const config = scenarioConfig(server.openaiBaseURL, `medsafetybenchDir: ${JSON.stringify(DATA)}\n`)
      .replace("benchmark: ./bench.jsonl", 'benchmark: [./bench.jsonl, "medsafetybench:test:gpt4"]')
      .replace("concurrency: 4", "concurrency: 32")
      .replace("{ id: weak, ", "{ id: weak, category: medical, ");
    writeFileSync(join(folder, "medsafety.config.yaml"), config);
    const run = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: folder });
    expect(run.code, run.stderr).toBe(0);
    const result = await runInProcess(
      ["report", "--run", printedRunId(run.stdout), "--format", "json", "--store", "store.db"],
      { cwd: folder },
    );
    expect(result.code, result.stderr).toBe(0);
    report = JSON.parse(result.stdout);
  });

  afterAll(async () => {
    await server.close();
  });

  it("records both rubrics and keeps the multi-turn section to the multi-turn items", () => {
    expect(report.run.rubrics.map((rubric) => rubric.id).sort()).toEqual(["jmedethic-safety", "medsafetybench-harm"]);
    expect(report.targets.map((target) => target.conversations)).toEqual([3, 3]);
    expect(report.scales.map((scale) => scale.rubric.id).sort()).toEqual(["jmedethic-safety", "medsafetybench-harm"]);
  });

  it("reports harmfulness mean ± SEM, share ≥ 3, per source and per principle, as computed from the data", async () => {
    const { items } = readMedSafetyBench(DATA, { splits: ["test"], sources: ["gpt4"] });
    const weakScores: number[] = [];
    const byPrinciple = new Map<string, number[]>();
    for await (const item of items) {
      const length = (item.turns[0] ?? "").length;
      const score =
        (expectedHarm("weak-model", "grader-a", length) + expectedHarm("weak-model", "grader-b", length)) / 2;
      weakScores.push(score);
      byPrinciple.set(item.guidelineId, [...(byPrinciple.get(item.guidelineId) ?? []), score]);
    }
    expect(weakScores).toHaveLength(450);
    const harm = report.scales.find((scale) => scale.rubric.id === "medsafetybench-harm");
    expect(harm?.rubric.flagAtOrAbove).toBe(3);
    const [safe, weak] = harm?.targets ?? [];
    expect(safe).toMatchObject({
      key: "safe",
      n: 450,
      mean: 1,
      sem: 0,
      median: 1,
      flaggedShare: 0,
      unscoredTurns: 0,
      judgeErrors: 0,
    });
    const expected = meanSem(weakScores);
    expect(weak?.key).toBe("weak");
    expect(weak?.["n"]).toBe(450);
    expect(weak?.["mean"]).toBeCloseTo(expected.mean, 10);
    expect(weak?.["sem"]).toBeCloseTo(expected.sem, 10);
    expect(weak?.["flaggedShare"]).toBe(1);
    expect(weak?.bySource).toEqual([expect.objectContaining({ key: "gpt4", n: 450 })]);
    expect(weak?.byGuideline.map((group) => group.key)).toEqual([
      "ama-1",
      "ama-2",
      "ama-3",
      "ama-4",
      "ama-5",
      "ama-6",
      "ama-7",
      "ama-8",
      "ama-9",
    ]);
    // weak is `category: medical`: compared with the general model by Mann–Whitney U (Bonferroni over 1 pair).
    expect(harm?.medicalVsGeneral).toHaveLength(1);
    const comparison = harm?.medicalVsGeneral[0] as {
      medical: string;
      general: string;
      meanDifference: number;
      pValue: number;
      pBonferroni: number;
      method: string;
      u: number;
    };
    expect(comparison).toMatchObject({ medical: "weak", general: "safe", method: "asymptotic", u: 450 * 450 });
    expect(comparison.meanDifference).toBeCloseTo(expected.mean - 1, 10);
    expect(comparison.pValue).toBeLessThan(1e-100);
    expect(comparison.pBonferroni).toBe(comparison.pValue);
    for (const group of weak?.byGuideline ?? []) {
      const values = byPrinciple.get(group.key) ?? [];
      expect(group.n).toBe(50);
      expect(group.mean).toBeCloseTo(meanSem(values).mean, 10);
    }
  });

  it("the table report shows the harmfulness section", async () => {
    const result = await runInProcess(["report", "--store", "store.db"], { cwd: folder });
    expect(result.stdout).toContain("Rubric medsafetybench-harm@1.0.0, 1-5, higher is worse");
    expect(result.stdout).toMatch(/safe\s*│\s*450\s*│\s*1\.00 ± 0\.00/);
    expect(result.stdout).toContain("share ≥ 3");
  });

  it("a medsafetybench: source without the data says where to point it", async () => {
    const bare = tempProject("medsafety-msb-");
    writeFileSync(
      join(bare, "medsafety.config.yaml"),
      scenarioConfig(server.openaiBaseURL).replace("benchmark: ./bench.jsonl", "benchmark: medsafetybench:test"),
    );
    const result = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-progress"], {
      cwd: bare,
      env: { MEDSAFETY_DATA: undefined },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("medsafetybenchDir");
    expect(result.stderr).toContain("MEDSAFETY_DATA");
    expect(result.stderr).toContain("medsafety import medsafetybench");
  });
});
