import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FixtureServer, startFixtureServer } from "../support/fixture-server.js";
import { runCli, tempProject, writeJsonl } from "./cli-harness.js";
import { SCENARIO_ITEMS, scenarioConfig, scenarioHandler } from "./scenario.js";

/** One paragraph: a single `medsafety:` line, no stack trace. */
function expectOneParagraph(stderr: string): void {
  const lines = stderr.trim().split("\n");
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^medsafety: /);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe("benchmark stats accepts the built-in names (issue 12, item 11, e2e)", () => {
  it("builtin:sample: its counts, exit 0", async () => {
    const result = await runCli(["benchmark", "stats", "builtin:sample", "--format", "json", "--no-near"], {
      cwd: tempProject("medsafety-stats-"),
    });
    expect(result.code, result.stderr).toBe(0);
    const stats = JSON.parse(result.stdout);
    expect(stats.items).toBe(28);
    expect(stats.file).toMatch(/sample\.jsonl$/);
  });

  it("a missing file: one paragraph naming it (not ENOENT twice), exit 2", async () => {
    const folder = tempProject("medsafety-stats-");
    const result = await runCli(["benchmark", "stats", "missing.jsonl"], { cwd: folder });
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toContain(`${join(folder, "missing.jsonl")}: benchmark file not found`);
    expect(result.stderr).not.toContain("ENOENT");
  });

  it("an unknown built-in name lists the known ones, exit 2", async () => {
    const result = await runCli(["benchmark", "stats", "builtin:nope"], { cwd: tempProject("medsafety-stats-") });
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toContain("builtin:sample");
  });
});

describe("plot tradeoff fails with a non-zero exit when it cannot draw (issue 12, item 11, e2e)", () => {
  let server: FixtureServer;

  beforeAll(async () => {
    server = await startFixtureServer({ handler: scenarioHandler });
  });

  afterAll(async () => {
    await server.close();
  });

  it("a run without benign (helpfulness) scores: exit 2, one paragraph, no SVG", async () => {
    const folder = tempProject("medsafety-plot-");
    writeJsonl(join(folder, "bench.jsonl"), SCENARIO_ITEMS);
    writeFileSync(join(folder, "medsafety.config.yaml"), scenarioConfig(server.openaiBaseURL));
    const run = await runCli(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: folder });
    expect(run.code, run.stderr).toBe(0);
    const result = await runCli(["plot", "tradeoff", "--store", "store.db"], { cwd: folder });
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toContain("builtin:benign");
    expect(existsSync(join(folder, "tradeoff.svg"))).toBe(false);
  });
});
