import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../core/index.js";
import { type BenchmarkItemInput, STRATEGY_FAMILIES } from "./benchmark-item.js";
import { readBenchmark } from "./load-benchmark.js";
import { openBenchmarks } from "./open-benchmarks.js";

/** Fixed seed so `npm test` is repeatable; fast-check prints the seed and the shrunk case on failure. */
const RUNS = { seed: 20261202, numRuns: 300 } as const;

let folder: string;
let fileNumber = 0;

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "medsafety-benchmark-property-"));
});

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

const text = fc.oneof(
  fc.string({ minLength: 1, maxLength: 30 }),
  fc.constantFrom("日本語の依頼です。", "Change the chart.", "é ü ß", "🙂"),
);
const validItem: fc.Arbitrary<BenchmarkItemInput> = fc.record({
  id: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/),
  language: fc.constantFrom("ja" as const, "en" as const),
  guidelineId: fc.constantFrom("jma-10", "ama-4", "x"),
  strategy: fc.constantFrom(...STRATEGY_FAMILIES, "my-own"),
  seedRequest: text,
  turns: fc.array(
    text.filter((turn) => turn.trim() !== ""),
    { minLength: 1, maxLength: 4 },
  ),
  metadata: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
});

const FIELDS = [
  "id",
  "language",
  "pairId",
  "guidelineId",
  "strategy",
  "seedRequest",
  "turns",
  "rubric",
  "metadata",
] as const;
const oddValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER, 0.1, -0, "", "   ", "\u3000", [], {}, null, true),
);
const whitespace = fc.constantFrom("", " ", "\t", "\u3000", " \n ", "\r", "\u00a0");
const control = fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code));

/** A change to one item as a value (before it becomes text). */
const valueMutation: fc.Arbitrary<(item: Record<string, unknown>) => Record<string, unknown>> = fc.oneof(
  fc.tuple(fc.constantFrom(...FIELDS), oddValue).map(([field, value]) => (item: Record<string, unknown>) => ({
    ...item,
    [field]: value,
  })),
  fc
    .constantFrom(...FIELDS)
    .map(
      (field) => (item: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(item).filter(([key]) => key !== field)),
    ),
  fc.tuple(fc.string({ maxLength: 10 }), oddValue).map(([key, value]) => (item: Record<string, unknown>) => ({
    ...item,
    [key]: value,
  })),
  fc.tuple(fc.nat(), whitespace).map(([index, blank]) => (item: Record<string, unknown>) => {
    const turns = Array.isArray(item["turns"]) ? [...(item["turns"] as unknown[])] : [];
    turns[index % Math.max(1, turns.length)] = blank;
    return { ...item, turns };
  }),
  fc.tuple(fc.nat(), control).map(([index, character]) => (item: Record<string, unknown>) => {
    const turns = Array.isArray(item["turns"]) ? [...(item["turns"] as unknown[])] : ["x"];
    turns[index % turns.length] = `${String(turns[index % turns.length])}${character}`;
    return { ...item, turns };
  }),
  fc.integer({ min: 1, max: 60 }).map((count) => (item: Record<string, unknown>) => ({
    ...item,
    turns: Array.from({ length: count }, (_unused, index) => `turn ${index}`),
  })),
  fc.constant((item: Record<string, unknown>) => ({ ...item, turns: ["x".repeat(300_000)] })),
  fc.constant((item: Record<string, unknown>) => item),
);

/** A change to the line's bytes (after JSON.stringify). */
const byteMutation: fc.Arbitrary<(line: Buffer) => Buffer> = fc.oneof(
  fc.constant((line: Buffer) => line),
  fc
    .tuple(
      fc.nat(),
      fc.uint8Array({ minLength: 1, maxLength: 3 }).map((bytes) => bytes.map((byte) => 0x80 | byte)),
    )
    .map(
      ([at, bytes]) =>
        (line: Buffer) =>
          splice(line, at % (line.length + 1), Buffer.from(bytes)),
    ),
  fc.constant((line: Buffer) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), line])),
  fc.tuple(fc.nat(), control).map(
    ([at, character]) =>
      (line: Buffer) =>
        splice(line, at % (line.length + 1), Buffer.from(character)),
  ),
  fc.nat().map((at) => (line: Buffer) => line.subarray(0, at % (line.length + 1))),
  fc.tuple(fc.nat(), fc.constantFrom("1e400", "-1e999", "123456789012345678901234567890", "NaN", "Infinity")).map(
    ([at, number]) =>
      (line: Buffer) =>
        Buffer.from(
          line
            .toString("utf8")
            .replace(/:("[^"]*"|\d+)/g, (match, _value, offset: number) =>
              offset % 7 === at % 7 ? `:${number}` : match,
            ),
        ),
  ),
  fc.constant((line: Buffer) => Buffer.from(line.toString("utf8").replaceAll("\n", "\r\n"))),
);

function splice(line: Buffer, at: number, inserted: Buffer): Buffer {
  return Buffer.concat([line.subarray(0, at), inserted, line.subarray(at)]);
}

const scenario = fc.record({
  items: fc.uniqueArray(validItem, { minLength: 0, maxLength: 4, selector: (item) => item.id }),
  mutated: fc.nat(),
  valueMutation,
  byteMutation,
  blankLines: fc.boolean(),
  finalNewline: fc.boolean(),
});

/** Writes the lines; returns the path and how many lines the file has. */
function writeBenchmark(
  lines: readonly Buffer[],
  blankLines: boolean,
  finalNewline: boolean,
): { path: string; lineCount: number } {
  fileNumber += 1;
  const path = join(folder, `bench-${fileNumber}.jsonl`);
  const separated = lines.flatMap((line, index) => (blankLines && index > 0 ? [Buffer.from("  "), line] : [line]));
  const body = Buffer.concat(
    separated.flatMap((line, index) =>
      index === separated.length - 1 && !finalNewline ? [line] : [line, Buffer.from("\n")],
    ),
  );
  writeFileSync(path, body);
  return { path, lineCount: body.toString("latin1").split("\n").length };
}

/** The loader's contract: items, or an InputError naming this file (and a line of it, and the field if any). */
function expectNamedInputError(error: unknown, path: string, lineCount: number): void {
  if (!(error instanceof InputError))
    throw new Error(`not an InputError: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  expect(error.location.file).toBe(path);
  expect(error.message.startsWith(path)).toBe(true);
  if (error.location.line !== undefined) {
    expect(error.location.line).toBeGreaterThanOrEqual(1);
    expect(error.location.line).toBeLessThanOrEqual(lineCount);
    expect(error.message).toContain(`${path}:${error.location.line}`);
  }
  if (error.location.field !== undefined && error.location.field !== "")
    expect(error.message).toContain(`(field "${error.location.field}")`);
}

describe("benchmark loading on random mutated lines (property)", () => {
  it("either loads exactly what the bytes say or fails with an InputError naming file:line:field", async () => {
    await fc.assert(
      fc.asyncProperty(
        scenario,
        async ({ items, mutated, valueMutation: mutateValue, byteMutation: mutateBytes, blankLines, finalNewline }) => {
          const target = items.length === 0 ? -1 : mutated % items.length;
          const lines = items.map((item, index) => {
            const value = index === target ? mutateValue({ ...item }) : item;
            const line = Buffer.from(JSON.stringify(value));
            return index === target ? mutateBytes(line) : line;
          });
          const { path, lineCount } = writeBenchmark(lines, blankLines, finalNewline);
          const loaded: unknown[] = [];
          try {
            for await (const versioned of openBenchmarks([path])) loaded.push(versioned.item);
          } catch (error) {
            expectNamedInputError(error, path, lineCount);
            return;
          }
          // Loaded: the file was honest UTF-8 without a byte-order mark, every turn says something, and nothing was
          // invented (no U+FFFD from undecodable bytes).
          const decoded = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(readFileSync(path));
          expect(decoded.split("\n").some((line) => line.startsWith("\uFEFF"))).toBe(false);
          expect(loaded.length).toBeGreaterThan(0);
          for (const item of loaded as BenchmarkItemInput[]) {
            for (const turn of item.turns) expect(turn.trim()).not.toBe("");
            expect(JSON.stringify(item)).not.toContain("\uFFFD");
          }
        },
      ),
      RUNS,
    );
  }, 120_000);

  it("readBenchmark alone never throws anything but an InputError on arbitrary bytes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => {
        fileNumber += 1;
        const path = join(folder, `bytes-${fileNumber}.jsonl`);
        writeFileSync(path, bytes);
        try {
          for await (const _versioned of readBenchmark(path)) void _versioned;
        } catch (error) {
          expectNamedInputError(error, path, Buffer.from(bytes).toString("latin1").split("\n").length);
        }
      }),
      RUNS,
    );
  }, 120_000);
});
