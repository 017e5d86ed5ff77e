/**
 * The paper figures of issue 16 end to end (decision 0026): the paper scenario (test/support/paper-scenario.ts) run
 * through the CLI in-process against the fixture server, then its report checked value by value against hand
 * computations from the scripted scores (never by calling the code under test): the model metadata, safety by size
 * within each family, medical vs general at equal size, the per-strategy box plots, and Safety Pass Rate vs utility;
 * then the same numbers in Markdown, CSV, the terminal table and the HTML report (en and ja).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FixtureServer, startFixtureServer } from "../../src/testing/index.js";
import { runInProcess } from "../support/in-process-cli.js";
import {
  HELPFULNESS,
  PAPER_ITEMS,
  PAPER_PASS_THRESHOLD,
  PAPER_STRATEGIES,
  PAPER_TARGETS,
  PAPER_TURNS,
  type PaperTarget,
  paperConfig,
  paperHandler,
  paperSafetyScore,
} from "../support/paper-scenario.js";
import { tempProject } from "./cli-harness.js";

// ---------------------------------------------------------------------------------------------------------------
// Hand computations from the scripted scores

const LANGUAGES = 2;
const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);
const average = (values: readonly number[]): number => sum(values) / values.length;

/** numpy.percentile's default (linear interpolation between order statistics), written out. */
function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, sorted.length - 1);
  return (sorted[lower] ?? 0) + (position - lower) * ((sorted[upper] ?? 0) - (sorted[lower] ?? 0));
}

function turnScores(target: PaperTarget, strategy: number): number[] {
  return Array.from({ length: PAPER_TURNS }, (_, turn) => paperSafetyScore(target, strategy, turn));
}

/** Every conversation's scores: 7 strategies × 2 languages (the same scores in both). */
function conversations(target: PaperTarget): number[][] {
  return PAPER_STRATEGIES.flatMap((_, strategy) =>
    Array.from({ length: LANGUAGES }, () => turnScores(target, strategy)),
  );
}

const conversationMean = (target: PaperTarget): number => average(conversations(target).map(average));
const passRate = (target: PaperTarget): number =>
  conversations(target).filter((scores) => scores.every((score) => score > PAPER_PASS_THRESHOLD)).length / 14;

function targetOf(id: string): PaperTarget {
  const found = PAPER_TARGETS.find((target) => target.id === id);
  if (found === undefined) throw new Error(id);
  return found;
}

/** Tukey's whiskers over `values`: the most extreme values within 1.5 × IQR of the quartiles (clamped to the box). */
function box(values: readonly number[]) {
  const q1 = percentile(values, 0.25);
  const q3 = percentile(values, 0.75);
  const reach = 1.5 * (q3 - q1);
  const inside = values.filter((value) => value >= q1 - reach && value <= q3 + reach);
  return {
    n: values.length,
    min: Math.min(...values),
    q1,
    median: percentile(values, 0.5),
    q3,
    max: Math.max(...values),
    mean: average(values),
    whiskerLow: Math.min(Math.min(...inside), q1),
    whiskerHigh: Math.max(Math.max(...inside), q3),
    outliers: values.length - inside.length,
  };
}

// ---------------------------------------------------------------------------------------------------------------

interface Rate {
  n: number;
  count: number;
  rate: number | null;
  ciLow: number | null;
  ciHigh: number | null;
}
interface Report {
  models: Array<Record<string, unknown>>;
  scaling: {
    points: Array<{ targetId: string; conversationScore: { mean: number; n: number }; safetyPassRate: Rate }>;
    families: Array<{ family: string; targetIds: string[] }>;
    medicalVsGeneral: Array<{
      medicalId: string;
      generalId: string;
      pairedBy: string;
      parameters: string | null;
      totalParameters: number | null;
      meanDelta: number;
      safetyPassRateDelta: number;
      paired: { n: number; meanDelta: { mean: number } } | null;
    }>;
  };
  strategyBoxes: {
    whiskerRule: string;
    pooled: Array<Record<string, unknown>>;
    perModel: Array<Record<string, unknown>>;
  };
  safetyUtility: Array<{
    targetId: string;
    safetyPassRate: Rate;
    utility: number | null;
    answeredShare: number | null;
    benignScored: number;
  }>;
  tradeoff: Array<{ targetId: string; language: string; safetyPassRate: Rate | null }>;
  multiTurn: {
    groups: Array<{ targetId: string | null; dimension: string; group: string; safetyPassRate: Rate }>;
    fineTunes: Array<{ fineTunedId: string; baseId: string; n: number }>;
  };
}

describe("the paper figures of the paper scenario (e2e)", () => {
  let server: FixtureServer;
  let folder: string;
  let report: Report;

  beforeAll(async () => {
    server = await startFixtureServer({ handler: paperHandler, record: false });
    folder = tempProject("medsafety-paper-figures-");
    writeFileSync(join(folder, "bench.jsonl"), PAPER_ITEMS.map((item) => `${JSON.stringify(item)}\n`).join(""));
    writeFileSync(join(folder, "medsafety.config.yaml"), paperConfig(server.openaiBaseURL));
    const run = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: folder });
    expect(run.code, run.stderr).toBe(0);
    const json = await runInProcess(["report", "--format", "json", "--store", "store.db"], { cwd: folder });
    expect(json.code, json.stderr).toBe(0);
    report = JSON.parse(json.stdout) as Report;
  });

  afterAll(async () => {
    await server.close();
  });

  it("carries each target's metadata from the config, sizes parsed (235B-A22B: 235e9 total, 22e9 active)", () => {
    expect(report.models).toEqual(
      PAPER_TARGETS.map((target) => ({
        targetId: target.id,
        family: target.family ?? null,
        parameters: target.parameters ?? null,
        totalParameters: target.parameters === undefined ? null : Number.parseFloat(target.parameters) * 1e9,
        activeParameters:
          target.parameters === undefined
            ? null
            : target.id === "qwen3-235b-a22b"
              ? 22e9
              : Number.parseFloat(target.parameters) * 1e9,
        provider: target.provider,
        category: target.category,
        baseModel: target.baseModel ?? null,
      })),
    );
  });

  it("gives every target's mean conversation score and Safety Pass Rate, as computed by hand", () => {
    for (const target of PAPER_TARGETS) {
      const point = report.scaling.points.find((entry) => entry.targetId === target.id);
      expect(point?.conversationScore.n, target.id).toBe(14);
      expect(point?.conversationScore.mean, target.id).toBeCloseTo(conversationMean(target), 12);
      expect(point?.safetyPassRate.rate, target.id).toBeCloseTo(passRate(target), 12);
      expect(point?.safetyPassRate.n, target.id).toBe(14);
      const rate = point?.safetyPassRate;
      expect(rate?.ciLow ?? Number.NaN).toBeLessThanOrEqual(rate?.rate ?? Number.NaN);
      expect(rate?.ciHigh ?? Number.NaN).toBeGreaterThanOrEqual(rate?.rate ?? Number.NaN);
    }
    // Hand-checked anchors: qwen3-8b scores 9−2t−(s mod 3): strategies 0,3,6 give 9 7 5 (fail), 1,4 give 8 6 4
    // (fail), 2,5 give 7 5 3 (fail): no conversation passes; qwen3-235b-a22b never declines: 10, 9, 8 all pass.
    expect(passRate(targetOf("qwen3-8b"))).toBe(0);
    expect(passRate(targetOf("qwen3-235b-a22b"))).toBe(1);
    expect(conversationMean(targetOf("qwen3-235b-a22b"))).toBeCloseTo((3 * 10 + 2 * 9 + 2 * 8) / 7, 12);
  });

  it("draws one line per family, its targets from the smallest", () => {
    expect(report.scaling.families).toEqual([
      { family: "Gemma3", targetIds: ["gemma-3-4b", "gemma-3-27b"] },
      { family: "II-Medical", targetIds: ["ii-medical-8b"] },
      { family: "MedGemma", targetIds: ["medgemma-4b"] },
      { family: "Qwen3", targetIds: ["qwen3-8b", "qwen3-32b", "qwen3-235b-a22b"] },
    ]);
    // Safety rises with size within each family in this scenario.
    const qwen = ["qwen3-8b", "qwen3-32b", "qwen3-235b-a22b"].map((id) => conversationMean(targetOf(id)));
    expect(qwen).toEqual([...qwen].sort((a, b) => a - b));
  });

  it("sets each medical fine-tune beside its base (baseModel), paired conversation by conversation", () => {
    const pairs = report.scaling.medicalVsGeneral;
    expect(pairs.map((pair) => [pair.medicalId, pair.generalId, pair.pairedBy, pair.parameters])).toEqual([
      ["ii-medical-8b", "qwen3-8b", "baseModel", "8B"],
      ["medgemma-4b", "gemma-3-4b", "baseModel", "4B"],
    ]);
    for (const pair of pairs) {
      const medical = targetOf(pair.medicalId);
      const general = targetOf(pair.generalId);
      expect(pair.meanDelta).toBeCloseTo(conversationMean(medical) - conversationMean(general), 12);
      expect(pair.safetyPassRateDelta).toBeCloseTo(passRate(medical) - passRate(general), 12);
      expect(pair.paired?.n).toBe(14);
      const differences = conversations(medical).map(
        (scores, index) => average(scores) - average(conversations(general)[index] ?? []),
      );
      expect(pair.paired?.meanDelta.mean).toBeCloseTo(average(differences), 12);
    }
    // II-Medical-8B: 8−3t−p against Qwen3-8B's 9−2t−p: turn differences −1, −2, −3, so −2 per conversation.
    expect(pairs[0]?.meanDelta).toBeCloseTo(-2, 12);
    // The base-vs-fine-tune comparison keeps working, keyed by baseModel.
    expect(report.multiTurn.fineTunes.map((entry) => [entry.fineTunedId, entry.baseId, entry.n])).toEqual([
      ["ii-medical-8b", "qwen3-8b", 14],
      ["medgemma-4b", "gemma-3-4b", 14],
    ]);
  });

  it("gives per-strategy box plots of turn scores, pooled over models and per model, with Tukey's whiskers", () => {
    expect(report.strategyBoxes.whiskerRule).toBe("tukey-1.5-iqr");
    expect(report.strategyBoxes.pooled).toEqual(
      PAPER_STRATEGIES.map((strategy, index) => ({
        strategy,
        targetId: null,
        ...box(
          PAPER_TARGETS.flatMap((target) => Array.from({ length: LANGUAGES }, () => turnScores(target, index)).flat()),
        ),
      })),
    );
    expect(report.strategyBoxes.perModel).toEqual(
      PAPER_TARGETS.flatMap((target) =>
        PAPER_STRATEGIES.map((strategy, index) => ({
          strategy,
          targetId: target.id,
          ...box([...turnScores(target, index), ...turnScores(target, index)]),
        })),
      ),
    );
    // Anchor by hand: clinical-authority (penalty 0), 48 turns; the paper reports pooled medians of 7.0–8.5.
    const pooledMedian = report.strategyBoxes.pooled[0]?.["median"];
    expect(pooledMedian).toBe(8);
  });

  it("puts each model's Safety Pass Rate against its utility on the benign set; no benign score is 'not measured', never 0", () => {
    expect(
      report.safetyUtility.map((point) => [point.targetId, point.utility, point.answeredShare, point.benignScored]),
    ).toEqual(
      PAPER_TARGETS.map((target) => {
        const { en, ja } = HELPFULNESS[target.id] ?? { en: null, ja: null };
        const scores = [en, ja, en, ja].filter((score): score is number => score !== null);
        return [
          target.id,
          scores.length === 0 ? null : average(scores) / 10,
          scores.length === 0 ? null : scores.filter((score) => score > 2).length / scores.length,
          scores.length,
        ];
      }),
    );
    const medgemma = report.safetyUtility.find((point) => point.targetId === "medgemma-4b");
    expect([medgemma?.utility, medgemma?.answeredShare]).toEqual([0.4, 0.5]);
    for (const point of report.safetyUtility) {
      expect(point.safetyPassRate.rate).toBeCloseTo(passRate(targetOf(point.targetId)), 12);
      // The same rate and interval as the target's "all" group of the grouped section.
      const all = report.multiTurn.groups.find(
        (group) => group.dimension === "all" && group.targetId === point.targetId,
      );
      expect(point.safetyPassRate).toEqual(all?.safetyPassRate);
    }
    // Per language too: the same as the grouped section's language groups.
    for (const point of report.tradeoff) {
      const group = report.multiTurn.groups.find(
        (entry) =>
          entry.dimension === "language" && entry.targetId === point.targetId && entry.group === point.language,
      );
      expect(point.safetyPassRate, `${point.targetId} ${point.language}`).toEqual(group?.safetyPassRate);
    }
  });

  it("prints the tables behind the figures in Markdown, CSV and the terminal, in English and Japanese", async () => {
    const markdown = await runInProcess(["report", "--format", "md", "--store", "store.db"], { cwd: folder });
    expect(markdown.code, markdown.stderr).toBe(0);
    expect(markdown.stdout).toContain("## Models and scaling");
    expect(markdown.stdout).toContain("### Safety by size within each family");
    expect(markdown.stdout).toMatch(
      /\| qwen3-235b-a22b \| Qwen3 \| 235B-A22B \| 22B \| Alibaba \| open \| – \| 9\.14 /,
    );
    expect(markdown.stdout).toContain("## Turn scores per strategy");
    expect(markdown.stdout).toContain("Tukey's rule");
    expect(markdown.stdout).toMatch(/\| clinical-authority \| 48 \| [^|]+ \| [^|]+ \| [^|]+ \| 8\.00 \|/);
    expect(markdown.stdout).toContain("## Safety Pass Rate vs utility");
    expect(markdown.stdout).toMatch(/\| gpt-4o-mini \| [^|]+ \| not measured \| not measured \| 0 \|/);
    const japanese = await runInProcess(["report", "--format", "md", "--lang", "ja", "--store", "store.db"], {
      cwd: folder,
    });
    expect(japanese.stdout).toContain("## モデルとスケーリング");
    expect(japanese.stdout).toContain("## 戦略ごとのターンスコア");
    expect(japanese.stdout).toMatch(/\| gpt-4o-mini \| [^|]+ \| 未測定 \| 未測定 \| 0 \|/);

    const csv = await runInProcess(["report", "--format", "csv", "--store", "store.db"], { cwd: folder });
    const rows = parse(csv.stdout, { columns: true }) as Array<Record<string, string>>;
    const value = (section: string, target: string, group: string, metric: string) =>
      rows.find(
        (row) =>
          row["section"] === section && row["target"] === target && row["group"] === group && row["metric"] === metric,
      )?.["value"];
    expect(Number(value("strategy_box", "", "clinical-authority", "median"))).toBe(8);
    expect(Number(value("scaling", "qwen3-8b", "Qwen3", "conversation_score_mean"))).toBeCloseTo(
      conversationMean(targetOf("qwen3-8b")),
      12,
    );
    expect(value("safety_utility", "gpt-4o-mini", "all", "utility")).toBe("");
    expect(
      rows.find(
        (row) => row["section"] === "safety_utility" && row["target"] === "gpt-4o-mini" && row["metric"] === "utility",
      )?.["note"],
    ).toBe("not measured");
    expect(rows.find((row) => row["section"] === "strategy_box" && row["metric"] === "whisker_rule")?.["group"]).toBe(
      "tukey-1.5-iqr",
    );
    // Values and notes never share a row (the CSV's rule): "not measured" stands beside an empty value only.
    expect(
      rows.filter(
        (row) =>
          ["scaling", "model", "medical_vs_general", "strategy_box", "safety_utility"].includes(row["section"] ?? "") &&
          row["note"] !== "" &&
          row["value"] !== "",
      ),
    ).toEqual([]);

    const table = await runInProcess(["report", "--store", "store.db"], { cwd: folder });
    expect(table.stdout).toContain("Models and scaling:");
    expect(table.stdout).toContain("Turn scores per strategy:");
    expect(table.stdout).toContain("Safety Pass Rate vs utility:");
  });

  it("draws the figures in the HTML report, in English and Japanese", async () => {
    for (const [lang, words] of [
      [
        "en",
        [
          "Models and scaling",
          "Mean conversation score by model size",
          "Turn scores per strategy, all models pooled",
          "Safety Pass Rate vs utility",
        ],
      ],
      [
        "ja",
        [
          "モデルとスケーリング",
          "モデル規模別の会話平均スコア",
          "戦略ごとのターンスコア（全モデルのプール）",
          "Safety Pass Rate と有用性",
        ],
      ],
    ] as const) {
      const out = join(folder, `report-${lang}.html`);
      const result = await runInProcess(
        ["report", "--format", "html", "--lang", lang, "--store", "store.db", "--out", out],
        {
          cwd: folder,
        },
      );
      expect(result.code, result.stderr).toBe(0);
      const html = readFileSync(out, "utf8");
      for (const name of [
        "scaling-score",
        "scaling-spr",
        "medical-vs-general",
        "strategy-box-pooled",
        "strategy-box-per-model",
        "safety-utility",
      ])
        expect(html, `${lang} ${name}`).toContain(`data-chart="${name}"`);
      expect(html).not.toContain("chart could not be rendered");
      for (const word of words) expect(html, `${lang}: ${word}`).toContain(word);
    }
  });
});
