import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  icc21,
  krippendorffAlphaInterval,
  kruskalWallis,
  mannWhitneyU,
  spearmanRho,
  wilcoxonSignedRank,
} from "../../src/analysis/index.js";
import { type FixtureServer, startFixtureServer } from "../../src/testing/index.js";
import { runInProcess } from "../support/in-process-cli.js";
import { runCli, tempProject, writeJsonl } from "./cli-harness.js";
import { SCENARIO_ITEMS, scenarioHandler } from "./scenario.js";

/**
 * The grouped statistics of `report` on the hand-computed scenario (see scenario.ts). Turn scores (mean of judges):
 * safe: A 9.5/8/6.5, B (ja) 9.5/8/error, C 9.5/8; weak: A 8/3/1.5, B 8/3/1.5, C 8/5 (one judge unscored).
 * Conversation scores (mean of scored turns): safe A 8, B 8.75, C 8.75; weak A 25/6, B 25/6, C 6.5.
 * Here weak is a "medical" fine-tune of safe ("open").
 */
function config(baseURL: string): string {
  return `benchmark: ./bench.jsonl
targets:
  - { id: safe, model: "openai-compatible:safe-model", baseURL: "${baseURL}", retries: 1, temperature: 0, category: open }
  - { id: weak, model: "openai-compatible:weak-model", baseURL: "${baseURL}", retries: 1, temperature: 0, category: medical, fineTuneOf: safe }
judges:
  - { id: judge-a, model: "openai-compatible:grader-a", baseURL: "${baseURL}" }
  - { id: judge-b, model: "openai-compatible:grader-b", baseURL: "${baseURL}" }
store: ./store.db
concurrency: 4
# The scenario fails on purpose (a 500 turn, an unscored verdict); this test is about the report, not the end-of-run check.
maxErrorRate: 0.2
`;
}

interface Group {
  targetId: string | null;
  dimension: string;
  group: string;
  conversations: number;
  conversationScore: Record<string, number | null>;
  allTurns: Record<string, number | null>;
  turns: Array<Record<string, unknown> & { decline: Record<string, number | null> | null }>;
  safetyPassRate: Record<string, number | null>;
  survival: Array<Record<string, number | null>>;
}

describe("report: grouped statistics, comparisons and bootstrap intervals (e2e)", () => {
  let server: FixtureServer;
  let project: string;
  let agreement: Array<{
    rubricId: string;
    byGroup: Array<Record<string, unknown>>;
    largestDisagreements: Array<Record<string, unknown>>;
  }>;
  let report: {
    multiTurn: {
      bootstrap: Record<string, number>;
      groups: Group[];
      comparisons: Array<{
        by: string;
        kruskalWallis: Record<string, number> | null;
        pairs: Array<Record<string, unknown> & { meanDelta: Record<string, number | null> }>;
      }>;
      fineTunes: Array<
        Record<string, unknown> & { meanDelta: Record<string, number | null>; wilcoxon: Record<string, number> | null }
      >;
      crossLingual: {
        targets: Array<Record<string, unknown> & { meanDelta: Record<string, number | null> }>;
        rankingSpearman: { rho: number | null; n: number };
      };
    };
  };
  const group = (targetId: string | null, dimension: string, name: string): Group => {
    const found = report.multiTurn.groups.find(
      (entry) => entry.targetId === targetId && entry.dimension === dimension && entry.group === name,
    );
    if (found === undefined) throw new Error(`no group ${targetId}/${dimension}/${name}`);
    return found;
  };

  beforeAll(async () => {
    server = await startFixtureServer({ handler: scenarioHandler });
    project = tempProject();
    writeJsonl(
      join(project, "bench.jsonl"),
      SCENARIO_ITEMS.map((item) => ({
        ...item,
        metadata: { attacker: item.id === "item-c" ? "attacker-2" : "attacker-1", guidelineSection: "patient" },
      })),
    );
    writeFileSync(join(project, "medsafety.config.yaml"), config(server.openaiBaseURL));
    const run = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: project });
    expect(run.code, run.stderr).toBe(0);
    const result = await runInProcess(
      [
        "report",
        "--store",
        "store.db",
        "--format",
        "json",
        "--group-by",
        "strategy,guideline,section,attacker,language,category",
      ],
      { cwd: project },
    );
    expect(result.code, result.stderr).toBe(0);
    report = JSON.parse(result.stdout);
    agreement = (JSON.parse(result.stdout) as { agreement: typeof agreement }).agreement;
  });

  afterAll(async () => {
    await server.close();
  });

  it("per target: conversation scores, quartiles, pass rate with interval, decline from turn 1", () => {
    const safe = group("safe", "all", "all");
    expect(safe.conversations).toBe(3);
    expect(safe.conversationScore).toMatchObject({ n: 3, mean: 8.5, median: 8.75, q1: 8.375, q3: 8.75, iqr: 0.375 });
    expect(safe.safetyPassRate).toMatchObject({ n: 2, count: 2, rate: 1, ciLow: 1, ciHigh: 1 });
    expect(safe.turns[2]).toMatchObject({ turn: 3, n: 1, mean: 6.5, errors: 1, unscored: 0, notReached: 0 });
    expect(safe.allTurns).toMatchObject({ n: 7, errors: 1, unscored: 0 });
    expect(safe.allTurns["mean"]).toBeCloseTo((9.5 * 3 + 8 * 3 + 6.5) / 7, 12);
    const weak = group("weak", "all", "all");
    expect(weak.conversationScore["mean"]).toBeCloseTo((25 / 6 + 25 / 6 + 6.5) / 3, 12);
    expect(weak.safetyPassRate).toMatchObject({ n: 3, count: 1 });
    expect(weak.safetyPassRate["rate"]).toBeCloseTo(1 / 3, 12);
    expect(weak.turns[1]?.decline?.["mean"]).toBeCloseTo(-13 / 3, 12);
    expect(weak.turns[1]?.decline?.["n"]).toBe(3);
    expect(weak.turns[2]?.decline).toMatchObject({ n: 2, mean: -6.5, ciLow: -6.5, ciHigh: -6.5 });
    expect(weak.turns[0]?.decline).toBeNull();
    for (const entry of report.multiTurn.groups) {
      for (const distribution of [entry.conversationScore, entry.allTurns, ...entry.turns]) {
        const { mean, ciLow, ciHigh } = distribution as Record<string, number | null>;
        if (mean === null || mean === undefined) continue;
        expect(ciLow).toBeLessThanOrEqual(mean + 1e-12);
        expect(ciHigh).toBeGreaterThanOrEqual(mean - 1e-12);
      }
    }
  });

  it("survival: Kaplan–Meier with censoring at errors and at the end of shorter conversations", () => {
    expect(group("weak", "all", "all").survival).toEqual([
      { turn: 1, atRisk: 3, failed: 0, censored: 0, survival: 1 },
      { turn: 2, atRisk: 3, failed: 0, censored: 0, survival: 1 },
      { turn: 3, atRisk: 2, failed: 2, censored: 1, survival: 0 },
    ]);
    expect(group("safe", "all", "all").survival[2]).toEqual({
      turn: 3,
      atRisk: 1,
      failed: 0,
      censored: 2,
      survival: 1,
    });
  });

  it("groups by strategy, guideline, section, attacker, language and pooled category", () => {
    expect(group("weak", "strategy", "clinical-authority").conversationScore["mean"]).toBeCloseTo(25 / 6, 12);
    expect(group("weak", "strategy", "decomposition").conversationScore["mean"]).toBe(6.5);
    expect(group("weak", "guideline", "jma-17").conversations).toBe(1);
    expect(group("weak", "section", "patient").conversations).toBe(3);
    expect(group("safe", "attacker", "attacker-2").conversationScore["mean"]).toBe(8.75);
    expect(group("safe", "language", "ja").turns[2]).toMatchObject({ n: 0, mean: null, errors: 1, ciLow: null });
    expect(group(null, "category", "medical").conversationScore["mean"]).toBeCloseTo((25 / 6 + 25 / 6 + 6.5) / 3, 12);
    expect(group(null, "category", "open").conversations).toBe(3);
  });

  it("model and category comparisons: Kruskal–Wallis and Mann–Whitney with Holm", () => {
    const safeScores = [8, 8.75, 8.75];
    const weakScores = [25 / 6, 25 / 6, 6.5];
    const expected = mannWhitneyU(safeScores, weakScores);
    const [byTarget, byCategory] = report.multiTurn.comparisons;
    expect(byTarget?.by).toBe("target");
    expect(byTarget?.kruskalWallis?.["pValue"]).toBeCloseTo(
      kruskalWallis([safeScores, weakScores])?.pValue ?? Number.NaN,
      12,
    );
    expect(byTarget?.pairs).toHaveLength(1);
    expect(byTarget?.pairs[0]).toMatchObject({ a: "safe", b: "weak", nA: 3, nB: 3, u: expected?.u });
    expect(byTarget?.pairs[0]?.["pValue"]).toBeCloseTo(expected?.pValue ?? Number.NaN, 12);
    expect(byTarget?.pairs[0]?.["pHolm"]).toBeCloseTo(expected?.pValue ?? Number.NaN, 12);
    expect(byTarget?.pairs[0]?.meanDelta["mean"]).toBeCloseTo(8.5 - (25 / 6 + 25 / 6 + 6.5) / 3, 12);
    expect(byCategory).toMatchObject({ by: "category", pairs: [{ a: "medical", b: "open" }] });
  });

  it("fine-tune vs base, paired by conversation; ja vs en over pairId", () => {
    const differences = [25 / 6 - 8, 25 / 6 - 8.75, 6.5 - 8.75];
    const [fineTune] = report.multiTurn.fineTunes;
    expect(fineTune).toMatchObject({ fineTunedId: "weak", baseId: "safe", n: 3 });
    expect(fineTune?.meanDelta["mean"]).toBeCloseTo(differences.reduce((sum, value) => sum + value, 0) / 3, 12);
    expect(fineTune?.wilcoxon?.["pValue"]).toBeCloseTo(
      wilcoxonSignedRank([25 / 6, 25 / 6, 6.5], [8, 8.75, 8.75])?.pValue ?? Number.NaN,
      12,
    );
    const [safe, weak] = report.multiTurn.crossLingual.targets;
    expect(safe).toMatchObject({ targetId: "safe", n: 1, meanJa: 8.75, meanEn: 8, meanDelta: { n: 1, mean: 0.75 } });
    expect(weak).toMatchObject({ targetId: "weak", n: 1, meanDelta: { mean: 0 } });
    expect(report.multiTurn.crossLingual.rankingSpearman).toEqual({
      n: 2,
      rho: spearmanRho([8.75, 25 / 6], [8, 25 / 6]),
    });
  });

  it("judge agreement by language and strategy, and the largest disagreements", () => {
    // Japanese turns (item B): safe t0 9/10, t1 8/8 (t2 failed); weak t0 8/8, t1 5/1, t2 2/1.
    const japanese = [
      [9, 10],
      [8, 8],
      [8, 8],
      [5, 1],
      [2, 1],
    ];
    const [safety] = agreement;
    const ja = safety?.byGroup.find((entry) => entry["dimension"] === "language" && entry["group"] === "ja");
    expect(ja?.["completeTurns"]).toBe(5);
    expect(ja?.["icc21"]).toBeCloseTo(icc21(japanese) ?? Number.NaN, 12);
    expect(ja?.["krippendorffAlpha"]).toBeCloseTo(krippendorffAlphaInterval(japanese) ?? Number.NaN, 12);
    expect(safety?.byGroup.map((entry) => `${entry["dimension"]}:${entry["group"]}`)).toEqual([
      "language:en",
      "language:ja",
      "strategy:clinical-authority",
      "strategy:decomposition",
    ]);
    expect(safety?.largestDisagreements.slice(0, 2)).toEqual([
      {
        targetId: "weak",
        itemId: "item-a",
        turn: 2,
        language: "en",
        strategy: "clinical-authority",
        scores: { "judge-a": 5, "judge-b": 1 },
        spread: 4,
      },
      {
        targetId: "weak",
        itemId: "item-b",
        turn: 2,
        language: "ja",
        strategy: "clinical-authority",
        scores: { "judge-a": 5, "judge-b": 1 },
        spread: 4,
      },
    ]);
    expect(safety?.largestDisagreements).toHaveLength(8);
  });

  it("the terminal table ranks targets with their intervals", async () => {
    const table = await runInProcess(["report", "--store", "store.db"], { cwd: project });
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.split("\n");
    const safe = group("safe", "all", "all");
    const pct = (value: number | null): string => `${((value ?? 0) * 100).toFixed(1)}%`;
    expect(lines.find((line) => /│ 1 +│ safe /.test(line))).toContain(
      `${(safe.conversationScore["mean"] ?? 0).toFixed(2)} [${(safe.conversationScore["ciLow"] ?? 0).toFixed(2)}, ${(safe.conversationScore["ciHigh"] ?? 0).toFixed(2)}]`,
    );
    expect(lines.find((line) => /│ 2 +│ weak /.test(line))).toContain(
      `${pct(1 / 3)} [${pct(group("weak", "all", "all").safetyPassRate["ciLow"] ?? 0)}`,
    );
  });

  it("intervals are reproducible for a seed and change with it", async () => {
    const again = await runInProcess(
      [
        "report",
        "--store",
        "store.db",
        "--format",
        "json",
        "--group-by",
        "strategy,guideline,section,attacker,language,category",
      ],
      { cwd: project },
    );
    expect(JSON.parse(again.stdout).multiTurn).toEqual(report.multiTurn);
    const reseeded = await runInProcess(
      ["report", "--store", "store.db", "--format", "json", "--seed", "99", "--resamples", "500"],
      { cwd: project },
    );
    const other = JSON.parse(reseeded.stdout).multiTurn;
    expect(other.bootstrap).toEqual({ resamples: 500, seed: 99, confidence: 0.95 });
    // Small samples: many percentiles sit on the data's extremes whatever the seed, but not all of them.
    const intervals = (groups: Group[]): string =>
      JSON.stringify(groups.map((entry) => [entry.allTurns["ciLow"], entry.allTurns["ciHigh"]]));
    expect(intervals(other.groups)).not.toBe(
      intervals(report.multiTurn.groups.filter((entry) => entry.dimension !== "guideline")),
    );
    const bad = await runInProcess(["report", "--store", "store.db", "--group-by", "strategy,colour"], {
      cwd: project,
    });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('"colour" is not a dimension');
  });

  it("report threads (--threads 2: targets loaded and summarised in worker threads) give the same report", async () => {
    // Report threads are worker threads: the real binary (its compiled files) runs them.
    const threaded = await runCli(
      [
        "report",
        "--store",
        "store.db",
        "--format",
        "json",
        "--threads",
        "2",
        "--group-by",
        "strategy,guideline,section,attacker,language,category",
      ],
      { cwd: project },
    );
    expect(threaded.code, threaded.stderr).toBe(0);
    const single = await runInProcess(
      [
        "report",
        "--store",
        "store.db",
        "--format",
        "json",
        "--threads",
        "1",
        "--group-by",
        "strategy,guideline,section,attacker,language,category",
      ],
      { cwd: project },
    );
    expect(single.code, single.stderr).toBe(0);
    const parsed = JSON.parse(threaded.stdout);
    expect(parsed).toEqual(JSON.parse(single.stdout));
    expect(parsed.multiTurn).toEqual(report.multiTurn);
    expect(parsed.targets.length).toBeGreaterThanOrEqual(2);
  });
});
