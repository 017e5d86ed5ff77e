import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { copyFixtureStore } from "../support/fixture-stores.js";
import { runInProcess } from "../support/in-process-cli.js";
import { runCli, tempProject } from "./cli-harness.js";
import { SCENARIO_RUN } from "./scenario.js";

/** One paragraph: a single `medsafety:` line, no stack trace. */
function expectOneParagraph(stderr: string): void {
  const lines = stderr.trim().split("\n");
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^medsafety: /);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe("benchmark stats accepts the built-in names (issue 12, item 11, e2e)", () => {
  it("builtin:sample: its counts, exit 0", async () => {
    const result = await runInProcess(["benchmark", "stats", "builtin:sample", "--format", "json", "--no-near"], {
      cwd: tempProject("medsafety-stats-"),
    });
    expect(result.code, result.stderr).toBe(0);
    const stats = JSON.parse(result.stdout);
    expect(stats.items).toBe(28);
    expect(stats.file).toMatch(/sample\.jsonl$/);
  });

  it("a missing file: one paragraph naming it (not ENOENT twice), exit 2", async () => {
    const folder = tempProject("medsafety-stats-");
    // The real binary: exit code 2 and one paragraph as the shell sees them.
    const result = await runCli(["benchmark", "stats", "missing.jsonl"], { cwd: folder });
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toContain(`${join(folder, "missing.jsonl")}: benchmark file not found`);
    expect(result.stderr).not.toContain("ENOENT");
  });

  it("an unknown built-in name lists the known ones, exit 2", async () => {
    const result = await runInProcess(["benchmark", "stats", "builtin:nope"], { cwd: tempProject("medsafety-stats-") });
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toContain("builtin:sample");
  });
});

describe("plot tradeoff fails with a non-zero exit when it cannot draw (issue 12, item 11, e2e)", () => {
  it("a run without benign (helpfulness) scores: exit 2, one paragraph, no SVG", async () => {
    const folder = tempProject("medsafety-plot-");
    await copyFixtureStore("scenario", SCENARIO_RUN, folder);
    const result = await runInProcess(["plot", "tradeoff", "--store", "store.db"], { cwd: folder });
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toContain("builtin:benign");
    expect(existsSync(join(folder, "tradeoff.svg"))).toBe(false);
  }, 120_000);
});
