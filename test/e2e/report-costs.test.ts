/**
 * `medsafety report` on a priced run (issue 15): the store holds hand-set costs (test/support/priced-store.ts, written
 * through the repositories), and every format prints the same money: by role, target, judge and conversation, unpriced
 * calls counted and never printed as 0.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.js";
import { runInProcess } from "../support/in-process-cli.js";
import { PRICED_RUN_ID, writePricedRun } from "../support/priced-store.js";
import { tempProject } from "./cli-harness.js";

type Row = Record<"section" | "target" | "dimension" | "group" | "metric" | "value" | "note", string>;

describe("report costs in every format (e2e)", () => {
  let project: string;

  beforeAll(() => {
    project = tempProject("medsafety-report-costs-");
    const { db } = openStore(join(project, "store.db"));
    try {
      writePricedRun(db);
    } finally {
      db.close();
    }
  });

  async function report(format: string, extra: readonly string[] = []): Promise<string> {
    const result = await runInProcess(
      ["report", "--store", "store.db", "--run", PRICED_RUN_ID, "--format", format, ...extra],
      { cwd: project },
    );
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  }

  it("json: totals by role, target and judge; unpriced money is null; every conversation listed", async () => {
    const json = JSON.parse(await report("json")) as {
      formatVersion: number;
      costs: {
        total: { calls: number; unpricedCalls: number; costUsd: number | null };
        byTarget: Array<{ targetId: string; costUsd: number | null; unpricedCalls: number }>;
        byJudge: Array<{ judgeId: string; costUsd: number | null; batchedCalls: number; cachedInputTokens: number }>;
        conversations: Array<{ targetId: string; itemIds: string[]; costUsd: Array<number | null> }>;
      };
    };
    expect(json.costs.total).toMatchObject({ calls: 27, unpricedCalls: 11, costUsd: 2.5 });
    expect(json.costs.byTarget.map((row) => [row.targetId, row.costUsd, row.unpricedCalls])).toEqual([
      ["t1", 1, 0],
      ["t2", 0.625, 2],
    ]);
    expect(json.costs.byJudge).toMatchObject([
      { judgeId: "ja", costUsd: 0.5, batchedCalls: 8, cachedInputTokens: 800 },
      { judgeId: "jb", costUsd: null },
    ]);
    expect(json.costs.conversations[0]).toMatchObject({
      targetId: "t1",
      itemIds: ["item-1", "item-2", "item-3"],
      costUsd: [1, 0.3125, 0.3125],
    });
  });

  it("csv: cost rows with notes for unpriced and partial money, and one row for every conversation", async () => {
    const rows = parse(await report("csv"), { columns: true }) as Row[];
    const one = (where: Partial<Row>): Row => {
      const found = rows.filter((row) =>
        Object.entries(where).every(([key, value]) => row[key as keyof Row] === value),
      );
      expect(found, JSON.stringify(where)).toHaveLength(1);
      return found[0] as Row;
    };
    expect(one({ section: "cost", dimension: "all", metric: "cost_usd" })).toMatchObject({
      value: "2.5",
      note: "partial: 11 calls unpriced",
    });
    expect(one({ section: "cost", dimension: "judge", group: "jb", metric: "cost_usd" })).toMatchObject({
      value: "",
      note: "unpriced (8 calls)",
    });
    expect(one({ section: "cost", dimension: "role", group: "attacker", metric: "calls" }).value).toBe("3");
    expect(one({ section: "conversation", target: "t2", group: "item-3", metric: "cost_usd" })).toMatchObject({
      value: "0.1875",
      note: "partial: 1 call unpriced",
    });
    expect(rows.filter((row) => row.section === "conversation")).toHaveLength(2 * 3);
  });

  it("md and html, in English and Japanese: the costs section says what is unpriced, never $0", async () => {
    const en = await report("md");
    expect(en).toContain("## Costs");
    expect(en).toContain("| jb | 8 | unpriced (8 calls) | 4000 | 0 | 0 | 40 | 0 |");
    expect(en).toContain("| Total | 27 | \\$2.50 + unpriced (11 calls) |");
    const ja = await report("md", ["--lang", "ja"]);
    expect(ja).toContain("## 費用");
    expect(ja).toContain("| jb | 8 | 価格なし（8 回） |");
    await report("html", ["--out", "report.html"]);
    const html = readFileSync(join(project, "report.html"), "utf8");
    const section = html.slice(html.indexOf('<section class="report-section" id="costs"'));
    expect(section).toContain("<td>unpriced (8 calls)</td>");
    expect(section).toContain("<td>$0.63 + unpriced (2 calls)</td>");
    for (const text of [en, ja, section]) expect(text).not.toMatch(/\$0(?![.\d])/);
  });
});
