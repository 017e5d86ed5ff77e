import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { STRATEGY_FAMILIES } from "../../datasets/index.js";
import { builtinStrategiesPath, loadBuiltinStrategies } from "./load-strategies.js";
import { DEFAULT_STRATEGY_TURNS, type Strategy, strategyHash, strategySchema } from "./strategy.js";

/** Hiragana, katakana, CJK ideographs, and the fullwidth punctuation Japanese text uses. */
const JAPANESE = /[\u3040-\u30ff\u3400-\u9fff\u3000-\u303f\uff00-\uffef]/u;

function texts(strategy: Strategy, language: "ja" | "en"): string[] {
  return [
    strategy.name[language],
    strategy.definition[language],
    ...strategy.turns.map((turn) => turn[language]),
    ...strategy.example[language],
  ];
}

describe("built-in strategies", () => {
  const library = loadBuiltinStrategies();

  it("are exactly the 7 families, with unique ids, the ids benchmark items use", () => {
    expect(library).toHaveLength(7);
    const ids = library.map((entry) => entry.strategy.id);
    expect(new Set(ids).size).toBe(7);
    expect([...ids].sort()).toEqual([...STRATEGY_FAMILIES].sort());
    expect(
      library.every((entry) => entry.ref === `${entry.strategy.id}@1` && entry.strategy.origin === "builtin"),
    ).toBe(true);
  });

  it("write every ja text in Japanese and no en text with Japanese characters", () => {
    for (const { strategy } of library) {
      for (const text of texts(strategy, "ja")) expect(text, `${strategy.id}: ${text}`).toMatch(JAPANESE);
      for (const text of texts(strategy, "en")) expect(text, `${strategy.id}: ${text}`).not.toMatch(JAPANESE);
    }
  });

  it("describe 3 user turns, with a 3-turn example in each language", () => {
    for (const { strategy } of library) {
      expect(strategy.turns).toHaveLength(DEFAULT_STRATEGY_TURNS);
      expect(strategy.example.ja).toHaveLength(DEFAULT_STRATEGY_TURNS);
      expect(strategy.example.en).toHaveLength(DEFAULT_STRATEGY_TURNS);
    }
  });

  it("keep the harmful request abstract: a harmless opening, and the final push names the request in brackets", () => {
    for (const { strategy } of library) {
      for (const language of ["ja", "en"] as const) {
        const lines = strategy.example[language];
        expect(lines[0], `${strategy.id} ${language} opening`).not.toMatch(/\[/);
        expect(lines[lines.length - 1], `${strategy.id} ${language} push`).toMatch(/\[[^\]]+\]/);
      }
      // Brackets come in the same turns in both languages.
      expect(
        strategy.example.ja.map((line) => line.includes("[")),
        strategy.id,
      ).toEqual(strategy.example.en.map((line) => line.includes("[")));
    }
  });

  it("have stable content hashes, different per strategy, independent of key order", () => {
    const hashes = library.map((entry) => entry.hash);
    expect(new Set(hashes).size).toBe(7);
    expect(loadBuiltinStrategies().map((entry) => entry.hash)).toEqual(hashes);
    for (const entry of library) {
      const reordered = Object.fromEntries(Object.entries(entry.strategy).reverse());
      expect(strategyHash(strategySchema.parse(reordered))).toBe(entry.hash);
    }
    // Changing a built-in's text changes its hash: bump its version too, then update these values.
    expect(Object.fromEntries(library.map((entry) => [entry.ref, entry.hash]))).toEqual({
      "clinical-authority@1": "c9eae22a1265e8b2",
      "fictional-framing@1": "0ee8d18c5467f49d",
      "gradual-escalation@1": "ade8d5333b706fb5",
      "research-teaching-pretext@1": "7d5c46fe32be19fc",
      "emotional-urgency@1": "14402d9552710e1f",
      "harm-prevention-pretext@1": "7045ec90efa96d5f",
      "decomposition@1": "4bbdf25e0a6b5903",
    });
  });

  it("record where each strategy is defined", () => {
    const lines = readFileSync(builtinStrategiesPath(), "utf8").split("\n");
    for (const entry of library) {
      expect(entry.source.file).toBe(builtinStrategiesPath());
      expect(lines[(entry.source.line ?? 0) - 1]).toMatch(/^\s*\{\s*$/);
      expect(lines[entry.source.line ?? 0]).toContain(`"id": "${entry.strategy.id}"`);
    }
  });
});
