import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inputErrorOf } from "../../test/support/input-error.js";
import { loadConfig } from "./load-config.js";

let folder: string;

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), "medsafety-load-config-"));
});

afterEach(() => {
  rmSync(folder, { recursive: true, force: true });
});

describe("loadConfig refuses documents and paths that are not a config (issue 12)", () => {
  it("refuses a YAML alias bomb quickly, naming the file and line", () => {
    const path = join(folder, "bomb.yaml");
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let level = 1; level <= 9; level += 1)
      levels.push(
        `${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + level)}`)
          .join(", ")}]`,
      );
    writeFileSync(path, `benchmark: builtin:sample\n${levels.join("\n")}\n`);
    const started = performance.now();
    const error = inputErrorOf(() => loadConfig(path));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(error.code).toBe("config_invalid");
    expect(error.location.file).toBe(path);
    expect(error.message).toMatch(/alias/);
  });

  it("refuses a folder given as the config, naming it", () => {
    const path = join(folder, "configs");
    mkdirSync(path);
    const error = inputErrorOf(() => loadConfig(path));
    expect(error.location.file).toBe(path);
    expect(error.message).toMatch(/folder/);
    expect(error.message).toMatch(/-c/);
  });

  it("refuses invalid UTF-8 in a config, naming the line", () => {
    const path = join(folder, "latin1.yaml");
    writeFileSync(
      path,
      Buffer.concat([Buffer.from("benchmark: builtin:sample\n# caf"), Buffer.from([0xe9]), Buffer.from("\n")]),
    );
    const error = inputErrorOf(() => loadConfig(path));
    expect(error.location).toMatchObject({ file: path, line: 2 });
    expect(error.message).toMatch(/UTF-8/);
  });
});
