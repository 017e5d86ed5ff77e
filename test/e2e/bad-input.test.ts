import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.js";
import { type FixtureServer, startFixtureServer } from "../../src/testing/index.js";
import { runInProcess } from "../support/in-process-cli.js";
import { runCli, tempProject, writeJsonl } from "./cli-harness.js";
import { SCENARIO_ITEMS, scenarioConfig, scenarioHandler } from "./scenario.js";

/** One paragraph: a single `medsafety:` line, no stack trace. */
function expectOneParagraph(stderr: string): void {
  const lines = stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^medsafety: /);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe("bad input exits non-zero with an error naming the place and the fix (e2e)", () => {
  let server: FixtureServer;
  let folder: string;

  beforeAll(async () => {
    server = await startFixtureServer({ handler: scenarioHandler });
  });

  afterAll(async () => {
    await server.close();
  });

  async function runWith(
    config: string,
    env: Record<string, string | undefined> = {},
  ): Promise<{ code: number | null; stderr: string }> {
    folder = tempProject("medsafety-bad-");
    writeJsonl(join(folder, "bench.jsonl"), SCENARIO_ITEMS);
    writeFileSync(join(folder, "medsafety.config.yaml"), config);
    const result = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: folder, env });
    return { code: result.code, stderr: result.stderr };
  }

  it("malformed YAML", async () => {
    const result = await runWith(scenarioConfig(server.openaiBaseURL).replace("store: ./store.db", "store: [unclosed"));
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toMatch(/medsafety\.config\.yaml:\d+: YAML syntax error/);
  });

  it("unknown config key, with its line and key path", async () => {
    const config = scenarioConfig(server.openaiBaseURL).replace(
      "retries: 1, temperature: 0 }",
      "retries: 1, temprature: 0 }",
    );
    const result = await runWith(config);
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toContain('medsafety.config.yaml:3 (field "targets.0.temprature"): unknown key "temprature"');
    expect(result.stderr).toContain("medsafety schema");
  });

  it("a config without judges (fine for building a benchmark) cannot run, and says what to add", async () => {
    const config = scenarioConfig(server.openaiBaseURL).replace(/judges:\n( {2}- .*\n)+/, "");
    expect(config).not.toContain("judges:");
    const result = await runWith(config);
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toMatch(
      /medsafety\.config\.yaml(:\d+)? \(field "judges"\): medsafety run needs at least one judge/,
    );
    expect(result.stderr).toContain("Add a `judges:` list");
  });

  it("missing API key environment variable", async () => {
    const config = scenarioConfig(server.openaiBaseURL).replace(
      '- { id: judge-b, model: "openai-compatible:grader-b",',
      '- { id: judge-b, apiKeyEnv: MEDSAFETY_TEST_MISSING_KEY, model: "openai-compatible:grader-b",',
    );
    const result = await runWith(config, { MEDSAFETY_TEST_MISSING_KEY: undefined });
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toContain('medsafety.config.yaml:7 (field "judges.1")');
    expect(result.stderr).toContain("MEDSAFETY_TEST_MISSING_KEY");
  });

  it("a hosted provider without any key", async () => {
    const config = scenarioConfig(server.openaiBaseURL).replace(
      `model: "openai-compatible:weak-model", baseURL: "${server.openaiBaseURL}",`,
      'model: "openai:gpt-4o-mini",',
    );
    const result = await runWith(config, { OPENAI_API_KEY: undefined });
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toContain('(field "targets.1")');
    expect(result.stderr).toContain("OPENAI_API_KEY");
  });

  it("a broken JSONL line names the file and line", async () => {
    folder = tempProject("medsafety-bad-");
    writeFileSync(
      join(folder, "bench.jsonl"),
      `${JSON.stringify(SCENARIO_ITEMS[0])}\n{"id": "broken", "language": "en",\n`,
    );
    writeFileSync(join(folder, "medsafety.config.yaml"), scenarioConfig(server.openaiBaseURL));
    const result = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: folder });
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toMatch(/bench\.jsonl:2: not valid JSON/);
    expect(result.stderr).toContain("docs/benchmark-format.md");
    const runs = await runInProcess(["runs", "list", "--json", "--store", "store.db"], { cwd: folder });
    expect(JSON.parse(runs.stdout)).toEqual([]);
  });

  it("a JSONL line with a wrong field names the field", async () => {
    folder = tempProject("medsafety-bad-");
    writeJsonl(join(folder, "bench.jsonl"), [SCENARIO_ITEMS[0], { ...SCENARIO_ITEMS[2], language: "fr" }]);
    writeFileSync(join(folder, "medsafety.config.yaml"), scenarioConfig(server.openaiBaseURL));
    const result = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: folder });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bench.jsonl:2 (field "language")');
  });

  it("unknown provider prefix", async () => {
    const result = await runWith(
      scenarioConfig(server.openaiBaseURL).replace("openai-compatible:safe-model", "openia:safe-model"),
    );
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toContain('medsafety.config.yaml:3 (field "targets.0")');
    expect(result.stderr).toContain("openai-compatible:");
    expect(result.stderr).toContain("local:");
  });

  it("unreachable baseURL stops the run before it starts", async () => {
    const result = await runWith(scenarioConfig("http://127.0.0.1:9/v1"));
    expect(result.code).toBe(3);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toContain('medsafety.config.yaml:3 (field "baseURL")');
    expect(result.stderr).toContain("http://127.0.0.1:9/v1 is unreachable");
    expect(result.stderr).toContain("--skip-preflight");
  });

  it("a missing config file says how to create one", async () => {
    folder = tempProject("medsafety-bad-");
    const result = await runInProcess(["run", "-c", "nope.yaml"], { cwd: folder });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("nope.yaml: config file not found");
    expect(result.stderr).toContain("medsafety init");
  });

  it("an unknown run id for report", async () => {
    folder = tempProject("medsafety-bad-");
    openStore(join(folder, "store.db")).db.close();
    const result = await runInProcess(["report", "--run", "does-not-exist", "--store", "store.db"], { cwd: folder });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("medsafety runs list");
  });
});

describe("bad input files and paths: one paragraph naming the file and the fix, exit 2, nothing stored (issue 12, item 10, e2e)", () => {
  let server: FixtureServer;

  beforeAll(async () => {
    server = await startFixtureServer({ handler: scenarioHandler });
  });

  afterAll(async () => {
    await server.close();
  });

  /** A project whose benchmark file holds `bench` and whose config is the scenario's (optionally edited). */
  function project(bench: string | Buffer, edit: (config: string) => string = (config) => config): string {
    const folder = tempProject("medsafety-input-");
    writeFileSync(join(folder, "bench.jsonl"), bench);
    writeFileSync(join(folder, "medsafety.config.yaml"), edit(scenarioConfig(server.openaiBaseURL)));
    return folder;
  }

  /** In-process, or (`spawned`) through the real binary where a regression would hang or spin the process. */
  async function run(
    folder: string,
    config = "medsafety.config.yaml",
    spawned = false,
  ): Promise<{ code: number | null; stderr: string }> {
    const args = ["run", "-c", config, "--no-progress"];
    const result = spawned ? await runCli(args, { cwd: folder }) : await runInProcess(args, { cwd: folder });
    return { code: result.code, stderr: result.stderr };
  }

  async function expectNoRunStored(folder: string): Promise<void> {
    if (!existsSync(join(folder, "store.db"))) return;
    const runs = await runInProcess(["runs", "list", "--json", "--store", "store.db"], { cwd: folder });
    expect(JSON.parse(runs.stdout)).toEqual([]);
  }

  const line = (item: unknown): string => `${JSON.stringify(item)}\n`;

  it("an empty or blank-only benchmark is refused, not run as a success with 0 items", async () => {
    for (const bench of ["", "\n  \n\t\n"]) {
      const folder = project(bench);
      const result = await run(folder);
      expect(result.code, result.stderr).toBe(2);
      expectOneParagraph(result.stderr);
      expect(result.stderr).toContain(`${join(folder, "bench.jsonl")}: the benchmark has no items`);
      await expectNoRunStored(folder);
    }
  });

  it("a whitespace-only turn is refused, naming the turn", async () => {
    const folder = project(line({ ...SCENARIO_ITEMS[0], turns: ["ITEM-A first", "   ", "ITEM-A third"] }));
    const result = await run(folder);
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toContain('bench.jsonl:1 (field "turns.1"): a user turn must not be blank');
    await expectNoRunStored(folder);
  });

  it("invalid UTF-8 is refused with its line, not stored as U+FFFD", async () => {
    const bad = Buffer.concat([
      Buffer.from(line(SCENARIO_ITEMS[0])),
      Buffer.from(line(SCENARIO_ITEMS[1]).replace("ITEM-B 依頼", "ITEM-B caf@")).map((byte) =>
        byte === 0x40 ? 0xe9 : byte,
      ),
    ]);
    const folder = project(Buffer.from(bad));
    const result = await run(folder);
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toContain("bench.jsonl:2: this line is not valid UTF-8");
    await expectNoRunStored(folder);
  });

  it("a byte-order mark is named as one", async () => {
    const folder = project(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(line(SCENARIO_ITEMS[0]))]));
    const result = await run(folder);
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toContain("bench.jsonl:1: the line starts with a byte-order mark");
    await expectNoRunStored(folder);
  });

  it("a YAML alias bomb fails fast, naming the config", async () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x]",
      ...Array.from({ length: 9 }, (_unused, level) => {
        const name = String.fromCharCode(98 + level);
        return `${name}: &${name} [${Array(9)
          .fill(`*${String.fromCharCode(97 + level)}`)
          .join(", ")}]`;
      }),
    ].join("\n");
    const folder = project(line(SCENARIO_ITEMS[0]), (config) => `${config}\n${bomb}\n`);
    const started = Date.now();
    const result = await run(folder, "medsafety.config.yaml", true);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toMatch(/medsafety\.config\.yaml:\d+: the YAML's aliases/);
    expect(existsSync(join(folder, "store.db"))).toBe(false);
  });

  it("a config path that is a folder", async () => {
    const folder = project(line(SCENARIO_ITEMS[0]));
    mkdirSync(join(folder, "configs"));
    const result = await run(folder, "configs");
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toContain(`${join(folder, "configs")}: this is a folder, not a config file`);
  });

  it("a benchmark path that is a folder", async () => {
    const folder = project(line(SCENARIO_ITEMS[0]), (config) =>
      config.replace("benchmark: ./bench.jsonl", "benchmark: ./data"),
    );
    mkdirSync(join(folder, "data"));
    const result = await run(folder);
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toContain(`${join(folder, "data")}: this is a folder, not a benchmark file`);
    await expectNoRunStored(folder);
  });

  it.runIf(process.platform === "linux")(
    "a store path under /proc fails at once instead of spinning at 100 % CPU",
    async () => {
      const folder = project(line(SCENARIO_ITEMS[0]), (config) =>
        config.replace("store: ./store.db", "store: /proc/medsafety/store.db"),
      );
      let timer: NodeJS.Timeout | undefined;
      const started = Date.now();
      const result = await runCli(["run", "-c", "medsafety.config.yaml", "--no-progress"], {
        cwd: folder,
        onSpawn: (child) => (timer = setTimeout(() => child.kill("SIGKILL"), 30_000)),
      });
      clearTimeout(timer);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(result.code).toBe(2);
      expectOneParagraph(result.stderr);
      expect(result.stderr).toContain("/proc/medsafety/store.db is on a virtual filesystem");
    },
  );
});
