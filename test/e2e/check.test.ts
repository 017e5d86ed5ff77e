import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import type { Log } from "sarif";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateXML } from "xmllint-wasm";
import { type FixtureHandler, type FixtureServer, startFixtureServer } from "../../src/testing/index.js";
import { runInProcess } from "../support/in-process-cli.js";
import { printedRunId, tempProject, writeJsonl } from "./cli-harness.js";
import { SCENARIO_ITEMS, scenarioConfig, scenarioHandler } from "./scenario.js";

/**
 * The fields GitHub code scanning requires of an uploaded SARIF file (its "SARIF support" page): version 2.1.0,
 * $schema, runs[].tool.driver.name, and per result ruleId, message.text and level; a minimal schema written here,
 * not the full SARIF schema.
 */
const SARIF_REQUIRED = {
  type: "object",
  required: ["version", "$schema", "runs"],
  properties: {
    version: { const: "2.1.0" },
    $schema: { type: "string", pattern: "sarif" },
    runs: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: ["tool", "results"],
        properties: {
          tool: {
            type: "object",
            required: ["driver"],
            properties: { driver: { type: "object", required: ["name"], properties: { name: { type: "string" } } } },
          },
          results: {
            type: "array",
            items: {
              type: "object",
              required: ["ruleId", "message", "level", "locations"],
              properties: {
                ruleId: { type: "string" },
                level: { enum: ["error", "warning", "note", "none"] },
                message: { type: "object", required: ["text"], properties: { text: { type: "string", minLength: 1 } } },
                locations: { type: "array", minItems: 1 },
              },
            },
          },
        },
      },
    },
  },
} as const;

const XSD = readFileSync(join(import.meta.dirname, "../support/junit.xsd"), "utf8");

async function validJunit(xml: string): Promise<{ valid: boolean; errors: string }> {
  const result = await validateXML({
    xml: { fileName: "check.xml", contents: xml },
    schema: { fileName: "junit.xsd", contents: XSD },
  });
  return { valid: result.valid, errors: result.errors.map((error) => error.rawMessage).join("\n") };
}

/** The scenario's judges, with every score lowered by `drop` (0–10) when `state.drop` is set: a regressed run. */
const state = { drop: 0 };
const degradingHandler: FixtureHandler = async (request, callIndex) => {
  const reply = await scenarioHandler(request, callIndex);
  if (state.drop === 0 || reply.kind !== "json") return reply;
  const value = reply.value as { score?: number; rationale?: string };
  if (typeof value.score !== "number") return reply;
  return { ...reply, value: { ...value, score: Math.max(0, value.score - state.drop) } };
};

describe("medsafety check (e2e, fixture server)", () => {
  let server: FixtureServer;
  let project: string;
  let baseline: string;
  let regressed: string;

  const check = (args: readonly string[]) => runInProcess(["check", ...args, "--store", "store.db"], { cwd: project });

  beforeAll(async () => {
    server = await startFixtureServer({ handler: degradingHandler, record: false });
    project = tempProject("medsafety-check-");
    writeJsonl(join(project, "bench.jsonl"), SCENARIO_ITEMS);
    writeFileSync(join(project, "medsafety.config.yaml"), scenarioConfig(server.openaiBaseURL));
    const first = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: project });
    expect(first.code, first.stderr).toBe(0);
    baseline = printedRunId(first.stdout);
    state.drop = 3;
    const second = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-progress", "--no-cache"], {
      cwd: project,
    });
    state.drop = 0;
    expect(second.code, second.stderr).toBe(0);
    regressed = printedRunId(second.stdout);
  });

  afterAll(async () => {
    await server.close();
  });

  it("exits 0 when every threshold holds", async () => {
    // safe passes 2 of 2 decided conversations, weak 1 of 3; safe's calls: 1 error in 8 (12.5 %), weak's none.
    const result = await check(["--run", baseline, "--min-pass-rate", "0.3", "--max-error-rate", "0.2"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`run ${baseline} passes every check`);
  });

  it("exits 6 with one paragraph naming the target, the value and the threshold: pass rate", async () => {
    const result = await check(["--run", baseline, "--min-pass-rate", "0.9"]);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`run ${baseline} fails 1 check:`);
    expect(result.stderr).toContain('target "weak": Safety Pass Rate 33.33 % is below the minimum 90 %');
    expect(result.stderr).toContain("1/3 decided conversations passed");
    expect(result.stderr).not.toContain('target "safe"');
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("exits 6 on the error rate (the health check's count of calls without a result)", async () => {
    const result = await check(["--run", baseline, "--max-error-rate", "0.1"]);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(
      'target "safe": share of calls without a result 12.5 % is above the maximum 10 % (1 of 8 calls gave no result)',
    );
  });

  it("exits 6 on a mean drop from the baseline on the items both runs share, 0 the other way round", async () => {
    const dropped = await check(["--run", regressed, "--baseline", baseline, "--max-mean-drop", "0.5"]);
    expect(dropped.code).toBe(6);
    // Every judge score fell by 3 (floored at 0: weak's 2 and 1 become 0): safe's conversation scores fall by 3,
    // weak's by (2.1667 + 2.1667 + 3) / 3 = 2.44.
    expect(dropped.stderr).toMatch(
      /target "safe": mean conversation score drop from the baseline 3 is above the maximum 0\.5/,
    );
    expect(dropped.stderr).toMatch(/target "weak": mean conversation score drop from the baseline 2\.\d+ is above/);
    const improved = await check(["--run", baseline, "--baseline", regressed, "--max-mean-drop", "0.5"]);
    expect(improved.code, improved.stderr).toBe(0);
  });

  it("a mean drop without a baseline, and an unknown run: exit 2 with a clear error and no stack", async () => {
    const missing = await check(["--run", baseline, "--max-mean-drop", "0.5"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("needs a baseline run");
    expect(missing.stderr).toContain("--baseline");
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    const unknown = await check(["--run", "no-such-run", "--min-pass-rate", "0.5"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no-such-run");
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
    const badFlag = await check(["--run", baseline, "--min-pass-rate", "90"]);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain("from 0 to 1");
  });

  it("writes JUnit that validates against the XSD: a case per target × guideline, failures list the conversations", async () => {
    const result = await check([
      "--run",
      baseline,
      "--min-pass-rate",
      "0.9",
      "--max-error-rate",
      "0.2",
      "--junit",
      "check.xml",
    ]);
    expect(result.code).toBe(6);
    const xml = readFileSync(join(project, "check.xml"), "utf8");
    expect(await validJunit(xml)).toEqual({ valid: true, errors: "" });
    const cases = [...xml.matchAll(/<testcase classname="([^"]+)" name="([^"]+)"/g)].map(
      (match) => `${match[1]} ${match[2]}`,
    );
    expect(cases).toEqual([
      "safe jma-10",
      "safe jma-17",
      "weak jma-10",
      "weak jma-17",
      "safe max-error-rate",
      "weak max-error-rate",
    ]);
    // weak fails item-a and item-b (turn 3 scores 1.5), both in jma-10; jma-17 holds item-c only, whose turns score
    // 8 and 5 (one judge): no failing conversation, so that case passes. safe fails no threshold: no failure.
    const failures = [...xml.matchAll(/<failure message="([^"]+)"/g)].map((match) => match[1] ?? "");
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain("guideline jma-10: 2 failing conversation(s)");
    expect(failures[0]).toContain("item-a [8, 3, 1.5]");
    expect(failures[0]).toContain("item-b [8, 3, 1.5]");
    expect(xml).toMatch(/<testsuite name="medsafety check min-pass-rate" tests="4" failures="1"/);
    // A file that breaks the schema is caught (the validation can fail).
    expect(
      (await validJunit(xml.replace('<testcase classname="safe" name="jma-10"', '<testcase classname="safe"'))).valid,
    ).toBe(false);
  });

  it("writes SARIF 2.1.0 with what GitHub code scanning requires, pointing at the config line of a config threshold", async () => {
    writeFileSync(
      join(project, "gate.config.yaml"),
      `${scenarioConfig(server.openaiBaseURL)}check:\n  minPassRate: 0.9\n  maxErrorRate: 0.2\n`,
    );
    const lines = readFileSync(join(project, "gate.config.yaml"), "utf8").split("\n");
    const minPassRateLine = lines.findIndex((line) => line.includes("minPassRate")) + 1;
    const result = await check(["--run", baseline, "-c", "gate.config.yaml", "--sarif", "check.sarif"]);
    expect(result.code).toBe(6);
    const log = JSON.parse(readFileSync(join(project, "check.sarif"), "utf8")) as Log;
    const validate = new Ajv({ allErrors: true }).compile(SARIF_REQUIRED);
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(log.runs[0]?.results).toHaveLength(1);
    const [only] = log.runs[0]?.results ?? [];
    expect(only).toMatchObject({ ruleId: "min-pass-rate", level: "error" });
    expect(only?.message.text).toContain("target weak");
    expect(only?.locations?.[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: "gate.config.yaml" },
      region: { startLine: minPassRateLine },
    });
    // A flag overrides the config, and the result then points at the run's store.
    const overridden = await check([
      "--run",
      baseline,
      "-c",
      "gate.config.yaml",
      "--min-pass-rate",
      "0.2",
      "--sarif",
      "pass.sarif",
    ]);
    expect(overridden.code, overridden.stderr).toBe(0);
    const passed = JSON.parse(readFileSync(join(project, "pass.sarif"), "utf8")) as Log;
    expect(validate(passed)).toBe(true);
    expect(passed.runs[0]?.results).toEqual([]);
    // The schema is not vacuous: a result without a level fails it.
    expect(validate({ ...log, runs: [{ ...log.runs[0], results: [{ ruleId: "x", message: { text: "y" } }] }] })).toBe(
      false,
    );
  });
});
