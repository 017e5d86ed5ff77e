import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../core/index.js";
import { builtinPriceTable, priceSchema, priceTableLabel, readPriceTable, tablePrice } from "./prices.js";

describe("the built-in price table", () => {
  const table = builtinPriceTable();

  it("is versioned, dated, names its sources and tells users to check the prices", () => {
    expect(table.version).toBeGreaterThanOrEqual(1);
    expect(table.checkedAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(table.source.length).toBeGreaterThan(0);
    expect(table.note).toMatch(/check/i);
    expect(priceTableLabel(table)).toBe(`v${table.version} (checked ${table.checkedAt})`);
  });

  it("prices the common hosted models, with the providers' 50 % batch discount", () => {
    const expected: Array<[provider: "openai" | "anthropic" | "google", model: string]> = [
      ["openai", "gpt-4o"],
      ["openai", "gpt-4o-mini"],
      ["openai", "gpt-4.1"],
      ["openai", "gpt-4.1-mini"],
      ["openai", "gpt-4.1-nano"],
      ["openai", "o3"],
      ["openai", "o4-mini"],
      ["openai", "gpt-5"],
      ["openai", "gpt-5-mini"],
      ["openai", "gpt-5-nano"],
      ["anthropic", "claude-3-5-haiku"],
      ["anthropic", "claude-3-7-sonnet"],
      ["anthropic", "claude-sonnet-4"],
      ["anthropic", "claude-sonnet-4-5"],
      ["anthropic", "claude-opus-4"],
      ["anthropic", "claude-opus-4-1"],
      ["anthropic", "claude-haiku-4-5"],
      ["google", "gemini-2.0-flash"],
      ["google", "gemini-2.5-flash"],
      ["google", "gemini-2.5-flash-lite"],
      ["google", "gemini-2.5-pro"],
    ];
    for (const [provider, model] of expected) {
      const price = tablePrice(table, provider, model);
      expect(price, `${provider}:${model}`).toBeDefined();
      expect(price?.batchDiscount).toBe(0.5);
      expect(price?.input).toBeGreaterThan(0);
      expect(price?.output).toBeGreaterThan(price?.input ?? 0);
    }
  });

  it("prices Anthropic cache writes at 1.25 × input (5-minute cache) and cache reads below input", () => {
    for (const [name, price] of Object.entries(table.providers.anthropic.models)) {
      // Claude 3 Haiku is the one exception on Anthropic's price list: $0.30 a million for $0.25 input.
      if (name === "claude-3-haiku") expect(price.cacheWrite).toBe(0.3);
      else expect(price.cacheWrite, name).toBeCloseTo(price.input * 1.25, 10);
      expect(price.cachedInput ?? price.input, name).toBeLessThan(price.input);
    }
  });

  it("has the list prices of a few well-known models", () => {
    expect(tablePrice(table, "openai", "gpt-4o-mini")).toEqual({
      input: 0.15,
      cachedInput: 0.075,
      output: 0.6,
      batchDiscount: 0.5,
    });
    expect(tablePrice(table, "anthropic", "claude-3-5-haiku")).toMatchObject({ input: 0.8, cacheWrite: 1, output: 4 });
    expect(tablePrice(table, "google", "gemini-2.0-flash")).toMatchObject({ input: 0.1, output: 0.4 });
  });
});

describe("tablePrice: which entry a model id takes", () => {
  const table = builtinPriceTable();

  it("matches exactly or with a dated, -latest or version suffix", () => {
    const mini = tablePrice(table, "openai", "gpt-4o-mini");
    expect(tablePrice(table, "openai", "gpt-4o-mini-2024-07-18")).toEqual(mini);
    const haiku = tablePrice(table, "anthropic", "claude-3-5-haiku");
    expect(tablePrice(table, "anthropic", "claude-3-5-haiku-20241022")).toEqual(haiku);
    expect(tablePrice(table, "anthropic", "claude-3-5-haiku-latest")).toEqual(haiku);
    expect(tablePrice(table, "google", "gemini-2.0-flash-001")).toEqual(
      tablePrice(table, "google", "gemini-2.0-flash"),
    );
  });

  it("takes the longest matching name: a dated gpt-4o-mini is not gpt-4o, a dated sonnet 4.5 is not sonnet 4", () => {
    expect(tablePrice(table, "openai", "gpt-4o-mini-2024-07-18")?.input).toBe(0.15);
    expect(tablePrice(table, "openai", "gpt-4o-2024-08-06")?.input).toBe(2.5);
    expect(tablePrice(table, "anthropic", "claude-sonnet-4-5-20250929")).toEqual(
      tablePrice(table, "anthropic", "claude-sonnet-4-5"),
    );
    expect(tablePrice(table, "anthropic", "claude-opus-4-1-20250805")?.input).toBe(15);
  });

  it("leaves other models of the same family unpriced rather than guessing (o3-pro is not o3)", () => {
    expect(tablePrice(table, "openai", "o3-pro")).toBeUndefined();
    expect(tablePrice(table, "openai", "gpt-4o-audio-preview")).toBeUndefined();
    expect(tablePrice(table, "openai", "my-fine-tune")).toBeUndefined();
    expect(tablePrice(table, "google", "gemini-2.5-flash-image")).toBeUndefined();
  });

  it("a model's own batchDiscount wins over the provider's", () => {
    const custom = {
      ...table,
      providers: {
        ...table.providers,
        openai: { batchDiscount: 0.5, models: { special: { input: 1, output: 2, batchDiscount: 0.25 } } },
      },
    };
    expect(tablePrice(custom, "openai", "special")?.batchDiscount).toBe(0.25);
  });
});

describe("the table's schema", () => {
  const write = (value: unknown): string => {
    const path = join(mkdtempSync(join(tmpdir(), "prices-")), "prices.json");
    writeFileSync(path, JSON.stringify(value, null, 2));
    return path;
  };
  const valid = builtinPriceTable();

  it("reads a valid table", () => {
    expect(readPriceTable(write(valid)).version).toBe(valid.version);
  });

  it("rejects unknown keys, negative prices and a missing date, naming the file and field", () => {
    const extra = { ...valid, providers: { ...valid.providers, openai: { ...valid.providers.openai, typo: 1 } } };
    expect(() => readPriceTable(write(extra))).toThrow(InputError);
    const negative = {
      ...valid,
      providers: { ...valid.providers, google: { batchDiscount: 0.5, models: { m: { input: -1, output: 1 } } } },
    };
    expect(() => readPriceTable(write(negative))).toThrow(/input/);
    const { checkedAt: _dropped, ...undated } = valid;
    expect(() => readPriceTable(write(undated))).toThrow(/checkedAt/);
  });

  it("a price's cache read is never dearer than its input", () => {
    expect(priceSchema.safeParse({ input: 1, output: 2, cachedInput: 2 }).success).toBe(false);
    expect(priceSchema.safeParse({ input: 1, output: 2, cachedInput: 0.5, cacheWrite: 1.25 }).success).toBe(true);
    expect(priceSchema.safeParse({ input: 1, output: 2, extra: 1 }).success).toBe(false);
  });
});
