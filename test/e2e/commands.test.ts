import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { configSchema } from "../../src/config/index.js";
import { openStore } from "../../src/store/index.js";
import { sharedModel, skipWithout } from "../support/requirements.js";
import { printedRunId, runCli, SHARED_MODELS, tempProject } from "./cli-harness.js";

describe("medsafety commands (e2e)", () => {
  it("--help lists init, run, report, runs, schema, quickstart", async () => {
    const result = await runCli(["--help"], { cwd: tempProject() });
    expect(result.code).toBe(0);
    for (const command of ["init", "run", "report", "runs", "schema", "quickstart"])
      expect(result.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, "m"));
  });

  it("init writes a commented config that validates, and refuses to overwrite it", async () => {
    const folder = tempProject();
    const first = await runCli(["init"], { cwd: folder });
    expect(first.code, first.stderr).toBe(0);
    const text = readFileSync(join(folder, "medsafety.config.yaml"), "utf8");
    expect(text).toMatch(/^# /m);
    expect(configSchema.safeParse(parse(text)).success).toBe(true);
    const second = await runCli(["init"], { cwd: folder });
    expect(second.code).toBe(2);
    expect(second.stderr).toContain("--force");
  });

  it("schema prints the config's JSON Schema", async () => {
    const result = await runCli(["schema"], { cwd: tempProject() });
    expect(result.code).toBe(0);
    const schema = JSON.parse(result.stdout);
    expect(schema.type).toBe("object");
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["benchmark", "targets", "judges", "store", "concurrency"]),
    );
    expect(schema.properties.targets.items.properties.model.description).toContain("provider:model");
  });

  it("runs list on an empty store says how to start", async () => {
    const folder = tempProject();
    // Read-only commands no longer create a store (issue 12): make an empty one as `run` would.
    openStore(join(folder, ".medsafety", "medsafety.db")).db.close();
    const result = await runCli(["runs", "list"], { cwd: folder });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("no runs yet");
  });
});

const storyModel = join(SHARED_MODELS, "stories260K.gguf");

describe("medsafety quickstart (e2e)", () => {
  it("without a model and offline, exits non-zero saying how to supply one", async () => {
    const folder = tempProject();
    const result = await runCli(["quickstart"], {
      cwd: folder,
      env: {
        MEDSAFETY_MODEL: undefined,
        XDG_CACHE_HOME: join(folder, "cache"),
        MEDSAFETY_MODEL_URL: "http://127.0.0.1:9/qwen.gguf",
      },
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("--model");
    expect(result.stderr).toContain("MEDSAFETY_MODEL");
    expect(result.stderr).toContain("medsafety init");
    expect(existsSync(join(folder, ".medsafety"))).toBe(false);
  });

  it.skipIf(skipWithout(sharedModel("stories260K.gguf")))(
    "runs the sample on a local GGUF (target + two judges) and prints the report",
    async () => {
      const folder = tempProject();
      const result = await runCli(["quickstart", "--language", "en", "--limit", "2", "--format", "json"], {
        cwd: folder,
        env: { MEDSAFETY_MODEL: storyModel },
      });
      // The 260K story model cannot hold the rubric (below): no judge ever scores, so the run fails its end-of-run
      // check: exit 4, the summary names each judge and the error, the report is still printed and the run is "error".
      expect(result.code, result.stderr).toBe(4);
      expect(result.stderr).toContain(`model: ${storyModel} (env)`);
      expect(result.stderr).toMatch(/judge local-judge-a: 0 of 6 scored; \S+ ×6/);
      expect(result.stderr).toContain('judge "local-judge-b" had no successful call: 6 of 6 gave no valid verdict');
      expect(result.stdout).toContain("resume: npx medsafety run --resume");
      const runId = printedRunId(result.stdout);
      const report = JSON.parse(result.stdout.slice(result.stdout.indexOf("{")));
      expect(report.run.id).toBe(runId);
      expect(report.run.status).toBe("error");
      expect(existsSync(join(folder, ".medsafety", "medsafety.db"))).toBe(true);
      const [target] = report.targets;
      expect(target.targetId).toBe("local-target");
      expect(target.conversations).toBe(2);
      expect(target.errorTurns).toBe(0);
      // The 260K story model's 2,048-token context cannot hold the rubric prompt: every verdict is a recorded
      // judge error (never a made-up score), and the report counts them.
      expect(
        report.judges.map(
          (judge: { scored: number; unscored: number; errors: number }) => judge.scored + judge.unscored + judge.errors,
        ),
      ).toEqual([6, 6]);
      expect(report.run.usage.targetCalls).toBe(6);
    },
  );
});
