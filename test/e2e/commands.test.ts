import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { configSchema } from "../../src/config/index.js";
import { openStore } from "../../src/store/index.js";
import { runInProcess } from "../support/in-process-cli.js";
import { runCli, tempProject } from "./cli-harness.js";

describe("medsafety commands (e2e)", () => {
  it("--help lists init, run, report, runs, schema, quickstart", async () => {
    // The real binary: exit code 0 and the help on standard output.
    const result = await runCli(["--help"], { cwd: tempProject() });
    expect(result.code).toBe(0);
    for (const command of ["init", "run", "report", "runs", "schema", "quickstart"])
      expect(result.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, "m"));
  });

  it("init writes a commented config that validates, and refuses to overwrite it", async () => {
    const folder = tempProject();
    const first = await runInProcess(["init"], { cwd: folder });
    expect(first.code, first.stderr).toBe(0);
    const text = readFileSync(join(folder, "medsafety.config.yaml"), "utf8");
    expect(text).toMatch(/^# /m);
    expect(configSchema.safeParse(parse(text)).success).toBe(true);
    const second = await runInProcess(["init"], { cwd: folder });
    expect(second.code).toBe(2);
    expect(second.stderr).toContain("--force");
  });

  it("schema prints the config's JSON Schema", async () => {
    const result = await runInProcess(["schema"], { cwd: tempProject() });
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
    const result = await runInProcess(["runs", "list"], { cwd: folder });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("no runs yet");
  });
});

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
});
