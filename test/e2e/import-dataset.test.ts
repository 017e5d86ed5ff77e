import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBenchmark } from "../../src/datasets/index.js";
import { type FixtureHub, startFixtureHub } from "../../src/testing/fixture-hub.js";
import { runInProcess } from "../support/in-process-cli.js";
import { tempProject } from "./cli-harness.js";

const COMMIT = "c".repeat(40);
const TAGGED = "d".repeat(40);
const TOKEN = "hf_e2e_secret_value";

/** A Parquet file as a Hub dataset publishes one: ids, three user turns as a list, language, guideline, strategy. */
function benchParquet(): ArrayBuffer {
  return parquetWriteBuffer({
    columnData: [
      { name: "uid", data: [1n, 2n, 3n], type: "INT64" },
      {
        name: "turns",
        data: [
          ["最初の依頼", "二番目の依頼", "三番目の依頼"],
          ["first request", "second request", "third request"],
          ["単発の依頼"],
        ],
      },
      { name: "lang", data: ["ja", "en", "ja"], type: "STRING" },
      { name: "guideline", data: ["jma-10", "jma-10", "jma-3"], type: "STRING" },
      { name: "strategy", data: ["clinical-authority", "clinical-authority", "decomposition"], type: "STRING" },
      { name: "attacker", data: ["model-a", "model-a", "model-b"], type: "STRING" },
    ],
  });
}

const MAP =
  "id=bench-{uid},turns=turns,language=lang,guidelineId=guideline,strategy=strategy,metadata.attackerModel=attacker";

/** The last stderr line is the one-paragraph error, with no stack trace. */
function errorParagraph(stderr: string): string {
  expect(stderr).not.toMatch(/\n\s+at /);
  const last = stderr.trim().split("\n").at(-1) ?? "";
  expect(last).toMatch(/^medsafety: /);
  return last;
}

let hub: FixtureHub;
beforeAll(async () => {
  const parquet = new Uint8Array(benchParquet());
  hub = await startFixtureHub({
    datasets: [
      {
        repo: "lab/med-bench",
        license: "cc-by-nc-4.0",
        refs: { main: COMMIT, "v1.0": TAGGED },
        commits: {
          [COMMIT]: { "README.md": "---\nlicense: cc-by-nc-4.0\n---\n", "data/train-00000-of-00001.parquet": parquet },
          [TAGGED]: { "data/train-00000-of-00001.parquet": parquet },
        },
        gatedToken: TOKEN,
      },
    ],
  });
});
afterAll(async () => {
  await hub.close();
});

describe("medsafety import dataset (e2e)", () => {
  it("--help lists the mapping, the Hub and the bad-row options", async () => {
    const result = await runInProcess(["import", "dataset", "--help"], { cwd: tempProject() });
    expect(result.code).toBe(0);
    for (const option of [
      "--map <rules>",
      "--mapping <name|file>",
      "--license",
      "--file <path>",
      "--skip-bad-rows",
      "--cache-dir",
    ])
      expect(result.stdout).toContain(option);
  });

  it("imports a Parquet file, then `benchmark stats` reads and validates what it wrote", async () => {
    const folder = tempProject("medsafety-import-dataset-");
    writeFileSync(join(folder, "bench.parquet"), new Uint8Array(benchParquet()));
    const result = await runInProcess(
      ["import", "dataset", "bench.parquet", "--map", MAP, "--license", "CC-BY-4.0", "--out", "bench.jsonl"],
      { cwd: folder },
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("imported 3 items from 3 rows of 1 file");
    expect(result.stdout).toContain("per language: ja 2, en 1");
    expect(result.stdout).toContain("licence: CC-BY-4.0");
    expect(result.stdout).toContain("next: medsafety benchmark stats ./bench.jsonl");
    const items = [];
    for await (const { item } of readBenchmark(join(folder, "bench.jsonl"))) items.push(item);
    expect(items.map((item) => [item.id, item.language, item.turns.length, item.metadata["attackerModel"]])).toEqual([
      ["bench-1", "ja", 3, "model-a"],
      ["bench-2", "en", 3, "model-a"],
      ["bench-3", "ja", 1, "model-b"],
    ]);
    expect(items[0]?.metadata["provenance"]).toEqual({
      source: "bench.parquet",
      file: "bench.parquet",
      row: 1,
      license: "CC-BY-4.0",
    });

    const stats = await runInProcess(["benchmark", "stats", "bench.jsonl", "--format", "json"], { cwd: folder });
    expect(stats.code).toBe(0);
    const parsed = JSON.parse(stats.stdout) as {
      items: number;
      turns: number;
      by: Record<string, Record<string, number>>;
    };
    expect(parsed.items).toBe(3);
    expect(parsed.turns).toBe(7);
  });

  it("imports hf://org/name@tag through the Hub (HF_ENDPOINT, HF_TOKEN): pinned commit, card licence, token never shown", async () => {
    const folder = tempProject("medsafety-import-hub-");
    const result = await runInProcess(["import", "dataset", "hf://lab/med-bench@v1.0", "--map", MAP], {
      cwd: folder,
      env: { HF_ENDPOINT: hub.endpoint, HF_TOKEN: TOKEN },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`hf://lab/med-bench@v1.0 is commit ${TAGGED}`);
    expect(result.stdout).toContain("licence: cc-by-nc-4.0");
    expect(result.stdout).toContain(`commit: ${TAGGED}`);
    const out = join(folder, "med-bench.jsonl");
    const text = readFileSync(out, "utf8");
    for (const shown of [result.stdout, result.stderr, text]) expect(shown).not.toContain(TOKEN);
    const [first] = text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { metadata: { provenance: unknown } });
    expect(first?.metadata.provenance).toEqual({
      source: "hf://lab/med-bench",
      file: "data/train-00000-of-00001.parquet",
      row: 1,
      revision: "v1.0",
      commit: TAGGED,
      url: `${hub.endpoint}/datasets/lab/med-bench/resolve/${TAGGED}/data/train-00000-of-00001.parquet`,
      license: "cc-by-nc-4.0",
    });
    // The file is in the cache under its commit: a second import downloads nothing.
    const before = hub.requests.filter((request) => request.url.includes("/resolve/")).length;
    const again = await runInProcess(["import", "dataset", `hf://lab/med-bench@${TAGGED}`, "--map", MAP], {
      cwd: folder,
      env: { HF_ENDPOINT: hub.endpoint, HF_TOKEN: TOKEN },
    });
    expect(again.code).toBe(0);
    expect(hub.requests.filter((request) => request.url.includes("/resolve/")).length).toBe(before);
  });

  it("a gated dataset without HF_TOKEN exits 3 with what to do", async () => {
    const result = await runInProcess(["import", "dataset", "hf://lab/med-bench", "--map", MAP], {
      cwd: tempProject(),
      env: { HF_ENDPOINT: hub.endpoint, HF_TOKEN: undefined },
    });
    expect(result.code).toBe(3);
    expect(errorParagraph(result.stderr)).toContain("is a gated dataset");
  });

  it("offline: exit 3 and the steps to import local files instead, without a stack", async () => {
    const port = await closedPort();
    const result = await runInProcess(["import", "dataset", "hf://lab/med-bench", "--map", MAP], {
      cwd: tempProject(),
      env: { HF_ENDPOINT: `http://127.0.0.1:${port}` },
    });
    expect(result.code).toBe(3);
    const message = errorParagraph(result.stderr);
    expect(message).toContain("cannot reach the Hugging Face Hub");
    expect(message).toContain("medsafety import dataset ./med-bench/<file>.parquet");
  });

  it("a bad row exits 2 naming the file, the row and the field; --skip-bad-rows reports it and goes on", async () => {
    const folder = tempProject();
    writeFileSync(
      join(folder, "rows.jsonl"),
      `${JSON.stringify({ t: ["a"], l: "ja" })}\n${JSON.stringify({ t: ["b"], l: "de" })}\n`,
    );
    const map = 'turns=t,language=l,guidelineId="g",strategy="s"';
    const failed = await runInProcess(["import", "dataset", "rows.jsonl", "--map", map], { cwd: folder });
    expect(failed.code).toBe(2);
    expect(errorParagraph(failed.stderr)).toContain(
      'rows.jsonl:2 (field "l"): row 2: language "de" is not Japanese or English',
    );
    const skipped = await runInProcess(["import", "dataset", "rows.jsonl", "--map", map, "--skip-bad-rows"], {
      cwd: folder,
    });
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toContain("skipped: ");
    expect(skipped.stderr).toContain('rows.jsonl:2 (field "l"): row 2: language "de"');
    expect(skipped.stdout).toContain(
      "imported 1 items from 2 rows of 1 file; skipped 1 bad rows (each reported above)",
    );
    expect(skipped.stdout).toContain("licence: unknown");
  });

  it("--mapping jmedethicbench reads a release shaped as the paper describes", async () => {
    const folder = tempProject();
    const row = (id: string, language: string, turns: string[]) => ({
      id,
      language,
      guideline_id: "jma-12",
      strategy: "gradual-escalation",
      attacker_model: "attacker-x",
      seed: `${turns[0]} (seed)`,
      turns,
    });
    writeFileSync(
      join(folder, "release.json"),
      JSON.stringify([row("0001", "Japanese", ["一", "二", "三"]), row("0001", "English", ["one", "two", "three"])]),
    );
    const result = await runInProcess(["import", "dataset", "release.json", "--mapping", "jmedethicbench"], {
      cwd: folder,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("licence: CC-BY-NC-4.0");
    const items = readFileSync(join(folder, "release.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map(
        (line) =>
          JSON.parse(line) as { id: string; pairId: string; language: string; metadata: Record<string, unknown> },
      );
    expect(items.map((item) => [item.id, item.pairId, item.language, item.metadata["attackerModel"]])).toEqual([
      ["0001-ja", "0001", "ja", "attacker-x"],
      ["0001-en", "0001", "en", "attacker-x"],
    ]);
  });
});

/** A port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
