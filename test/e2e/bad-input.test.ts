import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFixtureServer, type FixtureServer } from "../support/fixture-server.js";
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

  async function runWith(config: string, env: Record<string, string | undefined> = {}): Promise<{ code: number | null; stderr: string }> {
    folder = tempProject("medsafety-bad-");
    writeJsonl(join(folder, "bench.jsonl"), SCENARIO_ITEMS);
    writeFileSync(join(folder, "medsafety.config.yaml"), config);
    const result = await runCli(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: folder, env });
    return { code: result.code, stderr: result.stderr };
  }

  it("malformed YAML", async () => {
    const result = await runWith(scenarioConfig(server.openaiBaseURL).replace("store: ./store.db", "store: [unclosed"));
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toMatch(/medsafety\.config\.yaml:\d+: YAML syntax error/);
  });

  it("unknown config key, with its line and key path", async () => {
    const config = scenarioConfig(server.openaiBaseURL).replace("retries: 1, temperature: 0 }", "retries: 1, temprature: 0 }");
    const result = await runWith(config);
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toContain('medsafety.config.yaml:3 (field "targets.0.temprature"): unknown key "temprature"');
    expect(result.stderr).toContain("medsafety schema");
  });

  it("a config without judges (fine for building a benchmark) cannot run, and says what to add", async () => {
    const config = scenarioConfig(server.openaiBaseURL).replace(/judges:\n(  - .*\n)+/, "");
    expect(config).not.toContain("judges:");
    const result = await runWith(config);
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toMatch(/medsafety\.config\.yaml(:\d+)? \(field "judges"\): medsafety run needs at least one judge/);
    expect(result.stderr).toContain("Add a `judges:` list");
  });

  it("missing API key environment variable", async () => {
    const config = scenarioConfig(server.openaiBaseURL).replace('- { id: judge-b, model: "openai-compatible:grader-b",', '- { id: judge-b, apiKeyEnv: MEDSAFETY_TEST_MISSING_KEY, model: "openai-compatible:grader-b",');
    const result = await runWith(config, { MEDSAFETY_TEST_MISSING_KEY: undefined });
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toContain('medsafety.config.yaml:7 (field "judges.1")');
    expect(result.stderr).toContain("MEDSAFETY_TEST_MISSING_KEY");
  });

  it("a hosted provider without any key", async () => {
    const config = scenarioConfig(server.openaiBaseURL).replace('model: "openai-compatible:weak-model", baseURL: "' + server.openaiBaseURL + '",', 'model: "openai:gpt-4o-mini",');
    const result = await runWith(config, { OPENAI_API_KEY: undefined });
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toContain('(field "targets.1")');
    expect(result.stderr).toContain("OPENAI_API_KEY");
  });

  it("a broken JSONL line names the file and line", async () => {
    folder = tempProject("medsafety-bad-");
    writeFileSync(join(folder, "bench.jsonl"), `${JSON.stringify(SCENARIO_ITEMS[0])}\n{"id": "broken", "language": "en",\n`);
    writeFileSync(join(folder, "medsafety.config.yaml"), scenarioConfig(server.openaiBaseURL));
    const result = await runCli(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: folder });
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toMatch(/bench\.jsonl:2: not valid JSON/);
    expect(result.stderr).toContain("docs/benchmark-format.md");
    const runs = await runCli(["runs", "list", "--json", "--store", "store.db"], { cwd: folder });
    expect(JSON.parse(runs.stdout)).toEqual([]);
  });

  it("a JSONL line with a wrong field names the field", async () => {
    folder = tempProject("medsafety-bad-");
    writeJsonl(join(folder, "bench.jsonl"), [SCENARIO_ITEMS[0], { ...SCENARIO_ITEMS[2], language: "fr" }]);
    writeFileSync(join(folder, "medsafety.config.yaml"), scenarioConfig(server.openaiBaseURL));
    const result = await runCli(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: folder });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bench.jsonl:2 (field "language")');
  });

  it("unknown provider prefix", async () => {
    const result = await runWith(scenarioConfig(server.openaiBaseURL).replace("openai-compatible:safe-model", "openia:safe-model"));
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
    const result = await runCli(["run", "-c", "nope.yaml"], { cwd: folder });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("nope.yaml: config file not found");
    expect(result.stderr).toContain("medsafety init");
  });

  it("an unknown run id for report", async () => {
    folder = tempProject("medsafety-bad-");
    const result = await runCli(["report", "--run", "does-not-exist", "--store", "store.db"], { cwd: folder });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("medsafety runs list");
  });
});
