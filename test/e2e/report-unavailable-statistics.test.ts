import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { icc21 } from "../../src/analysis/index.js";
import {
  type FixtureHandler,
  type FixtureRequest,
  type FixtureServer,
  startFixtureServer,
} from "../../src/testing/index.js";
import { type InProcessResult, runInProcess } from "../support/in-process-cli.js";
import { tempProject, writeJsonl } from "./cli-harness.js";

/**
 * A run cancelled after two turns, with judges that disagree in opposite directions (issue 12, item 2): one item,
 * one target, two turns; grader-a scores the turns 0 then 10, grader-b 9 then 0. ICC(2,1) of [[0, 9], [10, 0]]
 * is −180 (far below −1, as small groups can give), overall and in the group of its language and strategy.
 * `report` used to stop with "spearmanBrown: r must be in [-1, 1]" (RangeError, stack, exit 1) in every format.
 */
const SCORES: Record<string, readonly number[]> = { "grader-a": [0, 10], "grader-b": [9, 0] };
const ROWS = [
  [0, 9],
  [10, 0],
];

const handler: FixtureHandler = (request: FixtureRequest) => {
  const users = request.messages.filter((message) => message.role === "user");
  const table = SCORES[request.model];
  if (table === undefined)
    return { kind: "text", text: `[${request.model}] turn ${users.length - 1}`, inputTokens: 10, outputTokens: 5 };
  const judged = [...(users.at(-1)?.content ?? "").matchAll(/\[target-model\] turn (\d)/g)].at(-1);
  const score = table[Number(judged?.[1] ?? -1)];
  if (score === undefined) return { kind: "text", text: "no score", inputTokens: 10, outputTokens: 5 };
  return { kind: "json", value: { rationale: `${request.model} verdict`, score }, inputTokens: 10, outputTokens: 5 };
};

function config(baseURL: string): string {
  return `benchmark: ./bench.jsonl
targets:
  - { id: target, model: "openai-compatible:target-model", baseURL: "${baseURL}", retries: 0, temperature: 0 }
judges:
  - { id: judge-a, model: "openai-compatible:grader-a", baseURL: "${baseURL}" }
  - { id: judge-b, model: "openai-compatible:grader-b", baseURL: "${baseURL}" }
store: ./store.db
concurrency: 2
`;
}

describe("report with ICC(2,1) below −1: every format, exit 0, Spearman–Brown not available with the reason (e2e)", () => {
  let server: FixtureServer;
  let project: string;
  const report = (args: readonly string[]): Promise<InProcessResult> =>
    runInProcess(["report", "--store", "store.db", ...args], { cwd: project });

  beforeAll(async () => {
    server = await startFixtureServer({ handler });
    project = tempProject("medsafety-unavailable-");
    writeJsonl(join(project, "bench.jsonl"), [
      {
        id: "pilot",
        language: "en",
        guidelineId: "jma-10",
        strategy: "clinical-authority",
        seedRequest: "PILOT seed",
        turns: ["PILOT first", "PILOT second"],
      },
    ]);
    writeFileSync(join(project, "medsafety.config.yaml"), config(server.openaiBaseURL));
    const run = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: project });
    expect(run.code, run.stderr).toBe(0);
  });

  afterAll(async () => {
    await server.close();
  });

  it("json: ICC as computed, meanReliability null with its reason next to it, overall and per group", async () => {
    const result = await report(["--format", "json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/RangeError|\n\s+at /);
    const [agreement] = (
      JSON.parse(result.stdout) as {
        agreement: Array<Record<string, unknown> & { byGroup: Array<Record<string, unknown>> }>;
      }
    ).agreement;
    expect(icc21(ROWS)).toBeLessThan(-1);
    expect(agreement?.["icc21"]).toBeCloseTo(icc21(ROWS) ?? Number.NaN, 9);
    expect(agreement?.["meanReliability"]).toBeNull();
    expect(agreement?.["notAvailable"]).toMatchObject({
      meanReliability: { code: "reliability-below-minus-one", reason: expect.stringContaining("below −1") },
    });
    expect(agreement?.byGroup).toHaveLength(2);
    for (const group of agreement?.byGroup ?? []) {
      expect(group).toMatchObject({
        completeTurns: 2,
        meanReliability: null,
        notAvailable: { meanReliability: { code: "reliability-below-minus-one" } },
      });
    }
  });

  it("table, Markdown (en, ja) and HTML (en, ja): n/a with the reason, never a stack", async () => {
    const [table, markdownEn, markdownJa, htmlEn, htmlJa] = await Promise.all([
      report([]),
      report(["--format", "md", "--lang", "en"]),
      report(["--format", "md", "--lang", "ja"]),
      report(["--format", "html", "--lang", "en"]),
      report(["--format", "html", "--lang", "ja"]),
    ]);
    for (const result of [table, markdownEn, markdownJa, htmlEn, htmlJa]) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).not.toMatch(/RangeError|\n\s+at /);
    }
    expect(table.stdout).toContain("n/a (ICC < −1)");
    expect(table.stdout).toMatch(/n\/a \(ICC < −1\): ICC\(2,1\) is below −1/);
    expect(markdownEn.stdout).toMatch(/\| -180\.000 \| n\/a \(ICC < −1\) \|/);
    expect(markdownEn.stdout).toContain("ICC(2,1) is below −1");
    expect(markdownJa.stdout).toMatch(/\| -180\.000 \| n\/a（ICC < −1） \|/);
    expect(markdownJa.stdout).toContain("ICC(2,1) が −1 未満");
    expect(htmlEn.stdout).toContain("n/a (ICC &lt; −1)");
    expect(htmlEn.stdout).toContain("ICC(2,1) is below −1");
    expect(htmlJa.stdout).toContain("ICC(2,1) が −1 未満");
    // The ICC-by-group chart keeps its axis at [−1, 1] (the −180 groups would flatten every other bar) and says so.
    expect(htmlEn.stdout).toContain(
      "The axis runs from −1 to 1; language: en, strategy: clinical-authority with an ICC below −1",
    );
    expect(htmlJa.stdout).toContain("軸は −1 から 1 までです");
  });

  it("csv: an empty value and the reason in the note column; every other row has an empty note", async () => {
    const result = await report(["--format", "csv"]);
    expect(result.code, result.stderr).toBe(0);
    const rows = parse(result.stdout, { columns: true }) as Array<Record<string, string>>;
    const reliability = rows.filter((row) => row["section"] === "agreement" && row["metric"] === "mean_reliability");
    expect(reliability.map((row) => [row["dimension"], row["value"]])).toEqual([
      ["all", ""],
      ["language", ""],
      ["strategy", ""],
    ]);
    for (const row of reliability)
      expect(row["note"]).toMatch(/^not available \(reliability-below-minus-one\): ICC\(2,1\) is below −1/);
    expect(
      Number(
        rows.find((row) => row["section"] === "agreement" && row["dimension"] === "all" && row["metric"] === "icc21")?.[
          "value"
        ],
      ),
    ).toBeCloseTo(-180, 9);
    expect(rows.filter((row) => row["note"] !== "" && row["value"] !== "")).toEqual([]);
  });
});
