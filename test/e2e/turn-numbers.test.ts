/**
 * One turn vocabulary: over one fixture run, the same turn carries the same number in every output a person or a file
 * sees — terminal table, Markdown, CSV, JSON, HTML, the viewer, `reviews list`, review JSONL export and import —
 * and that number counts from 1 (turn 1 is the first user turn and its reply), as the JMedEthicBench paper does.
 *
 * The scenario (scenario.ts) gives each turn something to recognise it by: safe-model's call fails on the third
 * turn of item-b (turn 3: one error), and the judges differ most on weak-model's second turn (turn 2: 5 vs 1).
 */
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFixtureStore } from "../support/fixture-stores.js";
import { type InProcessResult, runInProcess } from "../support/in-process-cli.js";
import { runCli, tempProject, writeJsonl } from "./cli-harness.js";
import { SCENARIO_RUN } from "./scenario.js";

type Row = Record<"section" | "rubric" | "target" | "dimension" | "group" | "turn" | "metric" | "value", string>;

interface JsonReport {
  targets: Array<{
    targetId: string;
    turns: Array<{ turn: number; errors: number }>;
    turnTests: { pairs: Array<{ from: number; to: number }> };
  }>;
  multiTurn: {
    groups: Array<{
      targetId: string | null;
      dimension: string;
      turns: Array<{ turn: number; decline: unknown }>;
      survival: Array<{ turn: number }>;
    }>;
  };
  agreement: Array<{ largestDisagreements: Array<Record<string, unknown>> }>;
}

/** Starts `medsafety view` on a free port; resolves with its URL. */
function startView(project: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    void runCli(["view", "--store", "store.db", "--port", "0"], {
      cwd: project,
      onSpawn: (child) => {
        child.stdout?.on("data", (chunk: Buffer) => {
          stdout += chunk.toString();
          const url = /medsafety view: (http:\/\/\S+)/.exec(stdout)?.[1];
          if (url !== undefined) resolve({ child, url });
        });
        child.on("exit", () => reject(new Error(`view exited early: ${stdout}`)));
      },
    }).catch(reject);
  });
}

describe("turn numbers: one convention in every output (e2e)", () => {
  let project: string;
  let runId: string;
  let json: JsonReport;
  let view: { child: ChildProcess; url: string } | undefined;
  const cli = async (args: readonly string[]): Promise<InProcessResult> =>
    runInProcess([...args, "--store", "store.db"], { cwd: project });
  const ok = async (args: readonly string[]): Promise<string> => {
    const result = await cli(args);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  };

  beforeAll(async () => {
    project = tempProject("medsafety-turns-");
    [runId = ""] = (await copyFixtureStore("scenario", SCENARIO_RUN, project)).runIds;
    json = JSON.parse(await ok(["report", "--format", "json", "--resamples", "50"])) as JsonReport;
  }, 120_000);

  afterAll(async () => {
    if (view !== undefined && view.child.exitCode === null) {
      const exited = new Promise((resolve) => view?.child.once("exit", resolve));
      view.child.kill("SIGINT");
      await exited;
    }
  });

  it("JSON: turns, test pairs, survival and disagreements are numbered from 1", () => {
    const safe = json.targets.find((target) => target.targetId === "safe");
    expect(safe?.turns.map((turn) => turn.turn)).toEqual([1, 2, 3]);
    expect(safe?.turns.find((turn) => turn.errors > 0)?.turn).toBe(3);
    expect(safe?.turnTests.pairs.map((pair) => [pair.from, pair.to])).toEqual([
      [1, 2],
      [1, 3],
      [2, 3],
    ]);
    const overall = json.multiTurn.groups.find((group) => group.targetId === "safe" && group.dimension === "all");
    expect(overall?.turns.map((turn) => turn.turn)).toEqual([1, 2, 3]);
    expect(overall?.turns[0]?.decline).toBeNull();
    expect(overall?.survival.map((point) => point.turn)).toEqual([1, 2, 3]);
    const [worst] = json.agreement[0]?.largestDisagreements ?? [];
    expect(worst).toMatchObject({ targetId: "weak", turn: 2, spread: 4 });
    expect(worst).not.toHaveProperty("turnIndex");
  });

  it("CSV agrees with the JSON: the turn column and the test pairs count from 1", async () => {
    const rows = parse(await ok(["report", "--format", "csv", "--resamples", "50"]), { columns: true }) as Row[];
    const targetTurns = new Set(
      rows.filter((row) => row.section === "target" && row.turn !== "").map((row) => row.turn),
    );
    expect([...targetTurns].sort()).toEqual(["1", "2", "3"]);
    expect(rows.some((row) => row.turn === "0")).toBe(false);
    expect(
      rows.find(
        (row) => row.section === "target" && row.target === "safe" && row.turn === "3" && row.metric === "errors",
      )?.value,
    ).toBe("1");
    const pairs = new Set(
      rows
        .filter((row) => row.section === "turn_test" && row.target === "safe" && row.dimension === "turn_pair")
        .map((row) => row.group),
    );
    expect([...pairs]).toEqual(["1→2", "1→3", "2→3"]);
    const disagreement = rows.find((row) => row.section === "disagreement" && row.target === "weak");
    expect(disagreement?.turn).toBe("2");
  });

  it("the terminal table: turn 1 … turn 3, test pairs 1→2", async () => {
    const table = await ok(["report", "--resamples", "50"]);
    expect(table).toContain("turn 1 mean / median");
    expect(table).toContain("turn 3 mean / median");
    expect(table).not.toMatch(/turn 0/);
    expect(table).toMatch(/safe turn decline: 1→2 d=/);
  });

  it("Markdown (en, ja): per-turn rows, test pairs, survival and disagreements count from 1", async () => {
    for (const lang of ["en", "ja"] as const) {
      const markdown = await ok(["report", "--format", "md", "--lang", lang, "--resamples", "50"]);
      const perTurn = markdown.slice(markdown.indexOf(lang === "en" ? "## Scores per turn" : "## ターン別スコア"));
      const safeTable = perTurn.slice(0, perTurn.indexOf("### ", perTurn.indexOf("### ") + 4));
      const turnCells = [...safeTable.matchAll(/^\| (\d+) \|/gm)].map((match) => match[1]);
      expect(turnCells, lang).toEqual(["1", "2", "3"]);
      expect(markdown, lang).toMatch(/^\| 1→2 \|/m);
      expect(markdown, lang).not.toMatch(/\b0 → 1\b|turn 0|ターン 0/);
      expect(markdown, lang).toMatch(
        lang === "en" ? /\| Turn 1 \| Turn 2 \| Turn 3 \|/ : /\| ターン 1 \| ターン 2 \| ターン 3 \|/,
      );
      expect(markdown, lang).toMatch(/\| jmedethic-safety \| weak \| item-[ab] \| 2 \|/);
    }
  });

  it("HTML: the per-turn table, the tests and the disagreements use the same numbers", async () => {
    const html = await ok(["report", "--format", "html", "--resamples", "50"]);
    expect(html).toMatch(/<th scope="col">Turn 1<\/th><th scope="col">Turn 2<\/th><th scope="col">Turn 3<\/th>/);
    expect(html).toContain("<td>1→2</td>");
    expect(html).toMatch(/<td>weak<\/td><td>(?:<a [^>]*>)?item-[ab](?:<\/a>)?<\/td><td>2<\/td>/);
  });

  it("the viewer: headings, anchors and the review form's turn field count from 1", async () => {
    view = await startView(project);
    const page = await (await fetch(`${view.url}runs/${runId}/conversation?target=safe&item=item-b`)).text();
    const cards = [
      ...page.matchAll(/<div class="turn-card" id="turn-(\d+)-item-b" data-turn="(\d+)">\s*<h3>Turn (\d+)/g),
    ].map((match) => match.slice(1));
    expect(cards).toEqual([
      ["1", "1", "1"],
      ["2", "2", "2"],
      ["3", "3", "3"],
    ]);
    expect(page).toMatch(/<h3>Turn 3 <span class="status-error">/);
    const fields = [...page.matchAll(/<input type="hidden" name="turn" value="(\d+)">/g)].map((match) => match[1]);
    expect(fields).toEqual(["1", "2"]);
  });

  it("reviews: import reads turn (from 1), list and export print it, the store keeps the 0-based index", async () => {
    writeJsonl(join(project, "reviews.jsonl"), [
      {
        targetId: "weak",
        itemId: "item-a",
        turn: 2,
        score: 7,
        reason: "refused",
        reviewer: "dr-sato",
        createdAt: "2026-03-01T10:00:00.000Z",
      },
    ]);
    expect(await ok(["reviews", "import", "reviews.jsonl", "--run", runId])).toMatch(/imported 1 review\(s\)/);
    const store = new Database(join(project, "store.db"), { readonly: true });
    try {
      expect(store.prepare("SELECT turn_index FROM reviews").pluck().all()).toEqual([1]);
    } finally {
      store.close();
    }
    const listed = await ok(["reviews", "list", "--run", runId]);
    expect(listed).toMatch(/│?\s*weak\s+│?\s*item-a\s+│?\s*2\s+│?\s*jmedethic-safety/);
    const listedJson = JSON.parse(await ok(["reviews", "list", "--run", runId, "--json"])) as Array<
      Record<string, unknown>
    >;
    expect(listedJson[0]).toMatchObject({ turn: 2 });
    expect(listedJson[0]).not.toHaveProperty("turnIndex");
    await ok(["reviews", "export", "--run", runId, "--out", "exported.jsonl"]);
    const exported = JSON.parse(readFileSync(join(project, "exported.jsonl"), "utf8").trim()) as Record<
      string,
      unknown
    >;
    expect(exported).toMatchObject({ targetId: "weak", itemId: "item-a", turn: 2 });
    expect(exported).not.toHaveProperty("turnIndex");
    expect(await ok(["reviews", "import", "exported.jsonl"])).toMatch(
      /imported 0 review\(s\) .*; 1 already stored, skipped/,
    );
    const report = JSON.parse(await ok(["report", "--format", "json", "--resamples", "50", "--use-reviews"])) as {
      targets: Array<{ targetId: string; turns: Array<{ turn: number; mean: number | null }> }>;
    };
    const before = json.targets.find((target) => target.targetId === "weak")?.turns as Array<{
      turn: number;
      mean?: number | null;
    }>;
    const after = report.targets.find((target) => target.targetId === "weak")?.turns ?? [];
    // The review of turn 2 changes turn 2's mean and no other.
    expect(after.map((turn) => turn.turn)).toEqual([1, 2, 3]);
    expect(after[0]?.mean).toBe(before[0]?.mean);
    expect(after[1]?.mean).not.toBe(before[1]?.mean);
    expect(after[2]?.mean).toBe(before[2]?.mean);
  });

  it("reviews import: an old line with turnIndex is refused, naming file, line and field and the fix", async () => {
    writeJsonl(join(project, "old.jsonl"), [
      { targetId: "weak", itemId: "item-a", turnIndex: 1, score: 7, reason: "refused", reviewer: "dr-sato" },
    ]);
    const result = await cli(["reviews", "import", "old.jsonl", "--run", runId]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /old\.jsonl:1 \(field "turnIndex"\): turnIndex \(0-based\) was replaced by turn \(1-based\): add 1 and rename the field/,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    writeJsonl(join(project, "beyond.jsonl"), [
      { targetId: "weak", itemId: "item-c", turn: 3, score: 7, reason: "refused", reviewer: "dr-sato" },
    ]);
    const beyond = await cli(["reviews", "import", "beyond.jsonl", "--run", runId]);
    expect(beyond.code).toBe(2);
    expect(beyond.stderr).toMatch(
      /beyond\.jsonl:1 \(field "turn"\): run \S+ has no turn for target "weak", item "item-c", turn 3/,
    );
  });
});
