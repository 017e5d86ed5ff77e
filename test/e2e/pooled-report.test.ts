import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FixtureServer, startFixtureServer } from "../../src/testing/index.js";
import { runInProcess } from "../support/in-process-cli.js";
import { printedRunId, tempProject, writeJsonl } from "./cli-harness.js";
import { SCENARIO_ITEMS, scenarioConfig, scenarioHandler } from "./scenario.js";

type Row = Record<
  "section" | "rubric" | "target" | "dimension" | "group" | "turn" | "metric" | "value" | "note",
  string
>;

interface PooledJson {
  judges: number;
  singleJudgeTurns: Array<{ targetId: string; turns: number }>;
  rows: Array<{
    scope: string;
    category: string | null;
    targets: string[];
    conversations: number;
    singleJudgeTurns: number;
    turns: Array<{
      turn: number;
      n: number;
      mean: number | null;
      median: number | null;
      q1: number | null;
      q3: number | null;
    }>;
    turnTests: {
      bonferroni: { family: string; m: number };
      pairs: Array<{
        from: number;
        to: number;
        mannWhitney: { u: number; pValue: number; pBonferroni: number } | null;
      }>;
    };
  }>;
}

/**
 * The scenario's run with categories (safe: general, weak: medical) and the consecutive Bonferroni family in the
 * config. Turn scores (mean of the judges, scenario.ts): safe 9.5, 8, 6.5 (item-b's turn 3 failed; item-c has two
 * turns); weak 8, 3, 1.5, and item-c's turn 2 is grader-a's 5 alone (grader-b refused: a single-judge turn).
 */
describe("report: pooled results (e2e, fixture server)", () => {
  let server: FixtureServer;
  let project: string;
  let runId: string;

  const report = async (args: readonly string[]): Promise<string> => {
    const result = await runInProcess(["report", "--run", runId, ...args, "--store", "store.db"], { cwd: project });
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  };

  beforeAll(async () => {
    server = await startFixtureServer({ handler: scenarioHandler, record: false });
    project = tempProject("medsafety-pooled-");
    writeJsonl(join(project, "bench.jsonl"), SCENARIO_ITEMS);
    const config = scenarioConfig(server.openaiBaseURL, "analysis:\n  bonferroniFamily: consecutive\n")
      .replace(
        "retries: 1, temperature: 0 }\n  - { id: weak",
        "retries: 1, temperature: 0, category: general }\n  - { id: weak",
      )
      .replace(/(id: weak, .*temperature: 0) \}/, "$1, category: medical }");
    expect(config).toContain("category: general");
    expect(config).toContain("category: medical");
    writeFileSync(join(project, "medsafety.config.yaml"), config);
    const run = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: project });
    expect(run.code, run.stderr).toBe(0);
    runId = printedRunId(run.stdout);
  });

  afterAll(async () => {
    await server.close();
  });

  it("json: the all-models row and one per category, hand-computed, with the config's family", async () => {
    const pooled = (JSON.parse(await report(["--format", "json"])) as { pooled: PooledJson }).pooled;
    expect(pooled.rows.map((row) => [row.scope, row.category, row.targets])).toEqual([
      ["all", null, ["safe", "weak"]],
      ["category", "general", ["safe"]],
      ["category", "medical", ["weak"]],
    ]);
    const [all, general, medical] = pooled.rows;
    expect(all?.conversations).toBe(6);
    // Turn 1: 8 8 8 9.5 9.5 9.5; turn 2: 3 3 5 8 8 8; turn 3: 1.5 1.5 6.5 (type-7 quartiles).
    expect(all?.turns).toEqual([
      { turn: 1, n: 6, mean: 8.75, median: 8.75, q1: 8, q3: 9.5 },
      { turn: 2, n: 6, mean: 35 / 6, median: 6.5, q1: 3.5, q3: 8 },
      { turn: 3, n: 3, mean: 9.5 / 3, median: 1.5, q1: 1.5, q3: 4 },
    ]);
    expect(general?.turns.map((turn) => turn.median)).toEqual([9.5, 8, 6.5]);
    expect(medical?.turns.map((turn) => turn.median)).toEqual([8, 3, 1.5]);
    expect(all?.turnTests.bonferroni).toEqual({ family: "consecutive", m: 2 });
    expect(all?.turnTests.pairs.map((pair) => [pair.from, pair.to])).toEqual([
      [1, 2],
      [2, 3],
    ]);
    // U of turn 1 over turn 2: 36 pairs, turn 1 higher in each but the three 8s of turn 1 against the three 8s of
    // turn 2 (9 ties, a half each): 36 − 4.5 = 31.5.
    expect(all?.turnTests.pairs[0]?.mannWhitney?.u).toBe(31.5);
    const first = all?.turnTests.pairs[0]?.mannWhitney;
    expect(first?.pBonferroni).toBeCloseTo(Math.min(1, 2 * (first?.pValue ?? 1)), 12);
    expect(pooled.judges).toBe(2);
    expect(pooled.singleJudgeTurns).toEqual([
      { targetId: "safe", turns: 0 },
      { targetId: "weak", turns: 1 },
    ]);
    expect(pooled.rows.map((row) => row.singleJudgeTurns)).toEqual([1, 0, 1]);
    const overridden = JSON.parse(await report(["--format", "json", "--bonferroni-family", "all-pairs"])) as {
      pooled: PooledJson;
      targets: Array<{ turnTests: { bonferroni: { family: string; m: number } } }>;
    };
    expect(overridden.pooled.rows[0]?.turnTests.bonferroni).toEqual({ family: "all-pairs", m: 3 });
    expect(overridden.targets.map((target) => target.turnTests.bonferroni)).toEqual([
      { family: "all-pairs", m: 3 },
      { family: "all-pairs", m: 3 },
    ]);
  });

  it("md: the pooled section, the family and m where the p-values are, the protocol notes (en and ja)", async () => {
    const en = await report(["--format", "md"]);
    expect(en).toContain("## Pooled results");
    expect(en).toContain("| All models | 1 | 6 | 8.75 | 8.75 | 8.00–9.50 |");
    expect(en).toContain("| Category: medical | 3 | 2 | 1.50 | 1.50 | 1.50–1.50 |");
    expect(en).toContain("All models: Bonferroni family: consecutive turns only, m = 2.");
    // Per target, below its tests.
    expect(en.match(/Bonferroni family: consecutive turns only, m = 2\./g)?.length).toBe(5);
    expect(en).toContain("Turns scored by one judge only: 1 of the scored turns (panel of 2 judges)");
    expect(en).toContain("2·0.944/(1 + 0.944) = 0.971");
    const ja = await report(["--format", "md", "--lang", "ja"]);
    expect(ja).toContain("## 全モデル統合の結果");
    expect(ja).toContain("Bonferroni 補正の族：連続するターンの組のみ、m = 2。");
    expect(ja).toContain("| カテゴリ：general | 1 | 3 | 9.50 | 9.50 | 9.50–9.50 |");
  });

  it("csv: pooled rows and the family of every set of turn tests", async () => {
    const rows = parse(await report(["--format", "csv"]), { columns: true }) as Row[];
    const value = (where: Partial<Row>): string | undefined =>
      rows.find((row) => Object.entries(where).every(([key, cell]) => row[key as keyof Row] === cell))?.value;
    expect(value({ section: "pooled", dimension: "all", group: "all", turn: "1", metric: "median" })).toBe("8.75");
    expect(value({ section: "pooled", dimension: "category", group: "medical", turn: "2", metric: "median" })).toBe(
      "3",
    );
    expect(value({ section: "pooled_turn_test", group: "all: 1→2", metric: "mann_whitney_u" })).toBe("31.5");
    expect(value({ section: "pooled_turn_test", dimension: "bonferroni_family", group: "all: consecutive" })).toBe("2");
    expect(value({ section: "turn_test", target: "weak", dimension: "bonferroni_family", group: "consecutive" })).toBe(
      "2",
    );
    expect(value({ section: "protocol", target: "weak", metric: "single_judge_turns" })).toBe("1");
  });

  it("html: the pooled section with its rows, the family, and the protocol notes", async () => {
    await report(["--format", "html", "--out", "report.html"]);
    const html = readFileSync(join(project, "report.html"), "utf8");
    const section = html.slice(html.indexOf('id="pooled"'), html.indexOf('id="strategy"'));
    expect(section).toContain("Pooled results");
    expect(section).toContain("Category: medical");
    expect(section).toContain("All models: Bonferroni family: consecutive turns only, m = 2.");
    expect(section).toContain("0.971");
    expect(html).toContain("weak: Bonferroni family: consecutive turns only, m = 2.");
  });

  it("table: the pooled rows in the terminal report", async () => {
    const table = await report(["--format", "table"]);
    expect(table).toContain("Pooled results:");
    expect(table).toMatch(/│ Category: general +│ 1 +│ 3 +│ 9\.50 +│ 9\.50 +│ 9\.50–9\.50 +│/);
  });
});
