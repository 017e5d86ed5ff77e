import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRubric } from "../../src/judges/index.js";
import { type FixtureHandler, type FixtureServer, startFixtureServer } from "../../src/testing/index.js";
import { runInProcess } from "../support/in-process-cli.js";
import { tempProject } from "./cli-harness.js";

const helpfulness = loadRubric("helpfulness").rubric;
const helpfulnessSystems = new Set([helpfulness.languages.en.system, helpfulness.languages.ja.system]);

/** refuser-model refuses everything; helper-model answers everything. Judges: safety and helpfulness by model. */
const handler: FixtureHandler = (request) => {
  if (request.jsonSchema === undefined) {
    return {
      kind: "text",
      text:
        request.model === "refuser-model" ? "[refuser] I can't help with that." : "[helper] Here is a detailed answer.",
    };
  }
  const judged = request.messages.at(-1)?.content ?? "";
  const refuser = judged.includes("[refuser]");
  if (helpfulnessSystems.has(request.system ?? "")) {
    return {
      kind: "json",
      value: { rationale: "fixture", label: refuser ? "refuse" : "comply", score: refuser ? 1 : 8 },
    };
  }
  return { kind: "json", value: { rationale: "fixture", score: refuser ? 10 : 3 } };
};

describe("safety vs over-refusal on the built-in sample and benign sets (e2e)", () => {
  let server: FixtureServer;
  let folder: string;

  beforeAll(async () => {
    server = await startFixtureServer({ handler, record: false });
    folder = tempProject("medsafety-tradeoff-");
    const base = server.openaiBaseURL;
    writeFileSync(
      join(folder, "medsafety.config.yaml"),
      `benchmark: [builtin:sample, builtin:benign]
targets:
  - { id: refuser, model: "openai-compatible:refuser-model", baseURL: "${base}" }
  - { id: helper, model: "openai-compatible:helper-model", baseURL: "${base}" }
judges:
  - { id: judge, model: "openai-compatible:grader", baseURL: "${base}" }
store: ./store.db
concurrency: 32
`,
    );
    const run = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: folder });
    expect(run.code, run.stderr).toBe(0);
  });

  afterAll(async () => {
    await server.close();
  });

  it("puts the refusing model in the safe-but-useless corner, per language", async () => {
    const result = await runInProcess(["report", "--format", "json", "--store", "store.db"], { cwd: folder });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    const counts = { safety: 42, harmfulness: 0, helpfulness: 52 };
    // Every turn of both models scores above the default threshold 2: 14 of 14 conversations per language pass.
    const safetyPassRate = { n: 14, count: 14, rate: 1, ciLow: 1, ciHigh: 1 };
    expect(report.tradeoff).toEqual([
      {
        targetId: "refuser",
        language: "en",
        safety: 10,
        harmfulness: null,
        overRefusal: 1,
        helpfulness: 1,
        refusedLabel: 1,
        safetyPassRate,
        counts,
      },
      {
        targetId: "refuser",
        language: "ja",
        safety: 10,
        harmfulness: null,
        overRefusal: 1,
        helpfulness: 1,
        refusedLabel: 1,
        safetyPassRate,
        counts,
      },
      {
        targetId: "helper",
        language: "en",
        safety: 3,
        harmfulness: null,
        overRefusal: 0,
        helpfulness: 8,
        refusedLabel: 0,
        safetyPassRate,
        counts,
      },
      {
        targetId: "helper",
        language: "ja",
        safety: 3,
        harmfulness: null,
        overRefusal: 0,
        helpfulness: 8,
        refusedLabel: 0,
        safetyPassRate,
        counts,
      },
    ]);
    const helpfulnessScale = report.scales.find(
      (scale: { rubric: { id: string } }) => scale.rubric.id === "helpfulness",
    );
    expect(
      helpfulnessScale.targets.map((target: { key: string; flaggedShare: number }) => [
        target.key,
        target.flaggedShare,
      ]),
    ).toEqual([
      ["refuser", 1],
      ["helper", 0],
    ]);
    expect(
      helpfulnessScale.targets.map((target: { labelShares: Record<string, number> }) => target.labelShares),
    ).toEqual([{ refuse: 1 }, { comply: 1 }]);
    // The multi-turn section only counts the 28 sample conversations, not the 104 benign requests.
    expect(report.targets.map((target: { conversations: number }) => target.conversations)).toEqual([28, 28]);
  });

  it("the table report shows the safety vs over-refusal table", async () => {
    const result = await runInProcess(["report", "--store", "store.db"], { cwd: folder });
    expect(result.stdout).toContain("Safety vs over-refusal");
    expect(result.stdout).toMatch(/refuser\s*│\s*ja\s*│\s*10\.00\s*│\s*–\s*│\s*100\.0%\s*│\s*100\.0%\s*│\s*1\.00/);
  });

  it("plot tradeoff writes a standalone SVG with one point per model and language, in English and Japanese", async () => {
    const english = await runInProcess(["plot", "tradeoff", "--store", "store.db", "--out", "tradeoff-en.svg"], {
      cwd: folder,
    });
    expect(english.code, english.stderr).toBe(0);
    expect(english.stdout).toContain("(4 points)");
    const svg = readFileSync(join(folder, "tradeoff-en.svg"), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    for (const text of ["refuser", "helper", "Safety vs over-refusal", "Multi-turn safety"])
      expect(svg).toContain(text);
    // Vega labels each drawn point: 2 models × 2 languages.
    expect(svg.match(/aria-roledescription="point"/g)).toHaveLength(4);
    const japanese = await runInProcess(
      ["plot", "tradeoff", "--store", "store.db", "--lang", "ja", "--out", "tradeoff-ja.svg"],
      { cwd: folder },
    );
    expect(japanese.code, japanese.stderr).toBe(0);
    expect(readFileSync(join(folder, "tradeoff-ja.svg"), "utf8")).toContain("安全性と過剰拒否");
  });
});
