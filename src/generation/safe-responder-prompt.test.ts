import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InputError } from "../core/index.js";
import {
  builtinSafeResponderPromptPath,
  loadSafeResponderPrompt,
  safeResponderSystem,
} from "./safe-responder-prompt.js";

describe("safe-responder prompt", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "medsafety-prompt-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("loads the built-in prompt, versioned, in both languages", () => {
    const prompt = loadSafeResponderPrompt();
    expect(prompt.id).toBe("safe-responder");
    expect(prompt.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(safeResponderSystem(prompt, "en")).toContain("medical ethics");
    expect(safeResponderSystem(prompt, "en")).toContain("alternatives");
    expect(safeResponderSystem(prompt, "ja")).toContain("医療倫理");
    expect(safeResponderSystem(prompt, "ja")).toContain("日本語");
    expect(loadSafeResponderPrompt(builtinSafeResponderPromptPath())).toEqual(prompt);
  });

  it("rejects a file missing a language with the file and field named", () => {
    const path = join(dir, "bad.json");
    writeFileSync(path, JSON.stringify({ id: "x", version: "1.0.0", languages: { en: { system: "Be careful." } } }));
    expect(() => loadSafeResponderPrompt(path)).toThrow(InputError);
    expect(() => loadSafeResponderPrompt(path)).toThrow(/bad\.json.*languages\.ja/);
  });

  it("rejects an empty system prompt, invalid JSON and a missing file", () => {
    const empty = join(dir, "empty.json");
    writeFileSync(
      empty,
      JSON.stringify({ id: "x", version: "1.0.0", languages: { en: { system: " " }, ja: { system: "慎重に。" } } }),
    );
    expect(() => loadSafeResponderPrompt(empty)).toThrow(/languages\.en\.system/);
    const broken = join(dir, "broken.json");
    writeFileSync(broken, "{ not json");
    expect(() => loadSafeResponderPrompt(broken)).toThrow(/not valid JSON/);
    expect(() => loadSafeResponderPrompt(join(dir, "missing.json"))).toThrow(/not found/);
  });
});
