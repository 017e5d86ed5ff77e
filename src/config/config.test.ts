import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { InputError } from "../core/index.js";
import { INIT_TEMPLATE } from "./init-template.js";
import { loadConfig } from "./load-config.js";
import { configJsonSchema, configSchema } from "./schema.js";

let folder: string;

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), "medsafety-config-"));
});

afterEach(() => {
  rmSync(folder, { recursive: true, force: true });
});

const MINIMAL = `targets:
  - id: target-a
    model: openai:gpt-4o-mini
judges:
  - id: judge-a
    model: anthropic:claude-3-5-haiku-latest
`;

function writeConfig(text: string, name = "medsafety.config.yaml"): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

function configErrorOf(text: string): InputError {
  const path = writeConfig(text);
  try {
    loadConfig(path);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error("expected loadConfig to fail");
}

describe("loadConfig", () => {
  it("applies the defaults", () => {
    const path = writeConfig(MINIMAL);
    const { config, path: loadedPath } = loadConfig(path);
    expect(loadedPath).toBe(path);
    expect(config).toMatchObject({
      benchmark: "builtin:sample",
      store: join(folder, ".medsafety", "medsafety.db"),
      concurrency: 16,
      cache: true,
      passThreshold: 2,
      mode: "replay",
    });
    expect(config.languages).toBeUndefined();
    expect(config.limit).toBeUndefined();
    expect(config.targets[0]).toMatchObject({
      id: "target-a",
      model: "openai:gpt-4o-mini",
      timeoutMs: 120_000,
      retries: 4,
    });
    expect(config.judges[0]).toMatchObject({ id: "judge-a", timeoutMs: 120_000, retries: 4 });
    // No judge-wide rubric by default: each item is judged with its own rubric (jmedethic-safety unless it names one).
    expect(config.judges[0]?.rubric).toBeUndefined();
  });

  it("resolves relative benchmark, store, local: and rubric paths against the config folder", () => {
    const text = `benchmark: data/bench.jsonl
store: out/store.db
targets:
  - id: local-a
    model: local:./models/m.gguf
  - id: local-b
    model: local:/abs/m.gguf
judges:
  - id: judge-a
    model: local:models/j.gguf
    rubric: rubrics/mine.json
`;
    const { config } = loadConfig(writeConfig(text));
    expect(config.benchmark).toBe(join(folder, "data", "bench.jsonl"));
    expect(config.store).toBe(join(folder, "out", "store.db"));
    expect(config.targets.map((target) => target.model)).toEqual([
      `local:${join(folder, "models", "m.gguf")}`,
      "local:/abs/m.gguf",
    ]);
    expect(config.judges[0]?.model).toBe(`local:${join(folder, "models", "j.gguf")}`);
    expect(config.judges[0]?.rubric).toBe(join(folder, "rubrics", "mine.json"));
  });

  it("keeps builtin: benchmarks and built-in rubric ids as they are", () => {
    const { config } = loadConfig(
      writeConfig(
        `benchmark: builtin:sample\n${MINIMAL.replace("model: anthropic:claude-3-5-haiku-latest", "model: anthropic:claude-3-5-haiku-latest\n    rubric: jmedethic-safety")}`,
      ),
    );
    expect(config.benchmark).toBe("builtin:sample");
    expect(config.judges[0]?.rubric).toBe("jmedethic-safety");
  });

  it("names line and field of an unknown top-level key", () => {
    const error = configErrorOf(`${MINIMAL}concurency: 4\n`);
    expect(error.location).toEqual({ file: join(folder, "medsafety.config.yaml"), line: 7, field: "concurency" });
    expect(error.message).toMatch(/unknown key "concurency"/);
  });

  it("names line and field of an unknown nested key", () => {
    const error = configErrorOf(
      MINIMAL.replace("    model: openai:gpt-4o-mini\n", "    model: openai:gpt-4o-mini\n    temprature: 0\n"),
    );
    expect(error.location).toMatchObject({ line: 4, field: "targets.0.temprature" });
  });

  it("names line and field of a value of the wrong type", () => {
    const error = configErrorOf(`${MINIMAL}\nconcurrency: many\n`);
    expect(error.code).toBe("config_invalid");
    expect(error.location).toMatchObject({ line: 8, field: "concurrency" });
  });

  it("refuses an id used by a target and a judge, naming the second use", () => {
    const error = configErrorOf(MINIMAL.replace("id: judge-a", "id: target-a"));
    expect(error.location).toMatchObject({ line: 5, field: "judges.0.id" });
    expect(error.message).toMatch(/id "target-a" is already used by targets\.0\.id/);
  });

  it("refuses a repeated target id", () => {
    const text = MINIMAL.replace("judges:", "  - id: target-a\n    model: openai:gpt-4o\njudges:");
    expect(configErrorOf(text).location).toMatchObject({ line: 4, field: "targets.1.id" });
  });

  it("mode: adaptive without an attacker is an error naming the mode line", () => {
    const error = configErrorOf(`${MINIMAL}concurrency: 4\nmode: adaptive\n`);
    expect(error.code).toBe("config_invalid");
    expect(error.location).toMatchObject({ line: 8, field: "mode" });
    expect(error.message).toMatch(/mode: adaptive needs an attacker model: add an `attacker:` binding/);
  });

  it("reads adaptive mode's attacker and stop conditions; rejects them in replay mode and an id shared with a target", () => {
    const adaptive = `${MINIMAL}mode: adaptive\nattacker: { id: red, model: "local:./models/attacker.gguf", temperature: 0.8 }\nmaxTurns: 5\nstopWhenScoreAtMost: 2\n`;
    const { config } = loadConfig(writeConfig(adaptive));
    expect(config).toMatchObject({
      mode: "adaptive",
      maxTurns: 5,
      stopWhenScoreAtMost: 2,
      attacker: { id: "red", temperature: 0.8, model: `local:${join(folder, "models", "attacker.gguf")}` },
    });
    const replay = configErrorOf(`${MINIMAL}maxTurns: 5\n`);
    expect(replay.location).toMatchObject({ line: 7, field: "maxTurns" });
    expect(replay.message).toMatch(/maxTurns applies only to mode: adaptive/);
    expect(configErrorOf(adaptive.replace("id: red", "id: target-a")).location).toMatchObject({
      line: 8,
      field: "attacker.id",
    });
    expect(configErrorOf(adaptive.replace("maxTurns: 5", "maxTurns: 0")).location).toMatchObject({
      line: 9,
      field: "maxTurns",
    });
  });

  it("names the line of a YAML syntax error", () => {
    const error = configErrorOf(`${MINIMAL}store: [unclosed\n`);
    expect(error.message).toMatch(/YAML syntax error/);
    expect(error.location.line).toBeGreaterThanOrEqual(7);
  });

  it("refuses a missing file", () => {
    expect(() => loadConfig(join(folder, "absent.yaml"))).toThrow(/config file not found.*medsafety init/);
  });
});

describe("INIT_TEMPLATE", () => {
  it("is a valid config once parsed as YAML", () => {
    const parsed = configSchema.safeParse(parse(INIT_TEMPLATE));
    expect(parsed.error).toBeUndefined();
    expect(parsed.data?.targets.map((target) => target.id)).toEqual(["my-model"]);
    expect(parsed.data?.judges.map((judge) => judge.id)).toEqual(["judge-a", "judge-b"]);
  });

  it("loads through loadConfig as written by `medsafety init`", () => {
    expect(loadConfig(writeConfig(INIT_TEMPLATE)).config.store).toBe(join(folder, ".medsafety", "medsafety.db"));
  });
});

describe("configJsonSchema", () => {
  function hasClosedObject(node: unknown): boolean {
    if (typeof node !== "object" || node === null) return false;
    if ((node as Record<string, unknown>)["additionalProperties"] === false) return true;
    return Object.values(node).some(hasClosedObject);
  }

  it("describes targets, judges and benchmark and closes objects to unknown keys", () => {
    const schema = configJsonSchema();
    expect(Object.keys(schema["properties"] as Record<string, unknown>)).toEqual(
      expect.arrayContaining(["targets", "judges", "benchmark"]),
    );
    expect(schema["additionalProperties"]).toBe(false);
    expect(hasClosedObject((schema["properties"] as Record<string, unknown>)["targets"])).toBe(true);
    expect(schema["title"]).toBe("medsafety configuration");
  });
});
