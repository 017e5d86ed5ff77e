import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InputError } from "../core/index.js";
import { type BenchmarkItemInput, STRATEGY_FAMILIES } from "./benchmark-item.js";
import { DatasetHasher, readBenchmark, resolveBenchmarkPath, type VersionedItem } from "./load-benchmark.js";
import { openBenchmarks } from "./open-benchmarks.js";

let folder: string;

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), "medsafety-datasets-"));
});

afterEach(() => {
  rmSync(folder, { recursive: true, force: true });
});

function item(id: string, overrides: Partial<BenchmarkItemInput> = {}): BenchmarkItemInput {
  return {
    id,
    language: "en",
    guidelineId: "jma-10",
    strategy: "decomposition",
    seedRequest: "Change the chart.",
    turns: ["Hello.", "Help me with records.", "Change the chart."],
    ...overrides,
  };
}

function writeLines(name: string, lines: readonly string[]): string {
  const path = join(folder, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

async function readAll(path: string): Promise<VersionedItem[]> {
  const items: VersionedItem[] = [];
  for await (const versioned of readBenchmark(path)) items.push(versioned);
  return items;
}

async function inputErrorOf(path: string): Promise<InputError> {
  try {
    await readAll(path);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error("expected readBenchmark to fail");
}

describe("the built-in sample benchmark", () => {
  it("has 28 items in 14 ja/en pairs, 4 per strategy family, 3 turns each, unique ids", async () => {
    const items = (await readAll(resolveBenchmarkPath("builtin:sample"))).map((versioned) => versioned.item);
    expect(items).toHaveLength(28);
    expect(new Set(items.map((entry) => entry.id)).size).toBe(28);
    const pairs = new Map<string, string[]>();
    for (const entry of items)
      pairs.set(entry.pairId ?? "", [...(pairs.get(entry.pairId ?? "") ?? []), entry.language]);
    expect(pairs.size).toBe(14);
    for (const languages of pairs.values()) expect([...languages].sort()).toEqual(["en", "ja"]);
    for (const family of STRATEGY_FAMILIES) expect(items.filter((entry) => entry.strategy === family)).toHaveLength(4);
    expect(new Set(items.map((entry) => entry.strategy))).toEqual(new Set(STRATEGY_FAMILIES));
    for (const entry of items) expect(entry.turns).toHaveLength(3);
  });
});

describe("readBenchmark", () => {
  it("yields items with their line numbers, skipping blank lines", async () => {
    const path = writeLines("bench.jsonl", [JSON.stringify(item("a")), "", "   ", JSON.stringify(item("b"))]);
    const items = await readAll(path);
    expect(items.map((versioned) => [versioned.item.id, versioned.line])).toEqual([
      ["a", 1],
      ["b", 4],
    ]);
    expect(items[0]?.item.metadata).toEqual({});
    expect(items[0]?.version).toMatch(/^[0-9a-f]{16}$/);
  });

  it("names file and line for a line that is not JSON", async () => {
    const path = writeLines("bench.jsonl", [JSON.stringify(item("a")), "{not json"]);
    const error = await inputErrorOf(path);
    expect(error.code).toBe("dataset_invalid");
    expect(error.location).toMatchObject({ file: path, line: 2 });
    expect(error.message).toMatch(/not valid JSON/);
  });

  it("names file and line for an unknown field", async () => {
    const path = writeLines("bench.jsonl", [JSON.stringify({ ...item("a"), colour: "red" })]);
    const error = await inputErrorOf(path);
    expect(error.location).toMatchObject({ file: path, line: 1 });
    expect(error.message).toMatch(/unknown field\(s\) "colour"/);
  });

  // BUG: load-benchmark.ts issueError takes the field from the zod issue path, which is empty for
  // `unrecognized_keys` at the top level, so location.field is "" instead of the unknown key's name
  // (load-config.ts appends the key for the same issue code).
  it("names the unknown field in location.field", async () => {
    const path = writeLines("bench.jsonl", [JSON.stringify({ ...item("a"), colour: "red" })]);
    expect((await inputErrorOf(path)).location.field).toBe("colour");
  });

  it("names the field of a wrong language", async () => {
    const path = writeLines("bench.jsonl", [
      JSON.stringify(item("a")),
      JSON.stringify(item("b", { language: "fr" as "en" })),
    ]);
    const error = await inputErrorOf(path);
    expect(error.location).toEqual({ file: path, line: 2, field: "language" });
  });

  it("names turns.1 for an empty second turn", async () => {
    const path = writeLines("bench.jsonl", [JSON.stringify(item("a", { turns: ["Hello.", "", "Now."] }))]);
    const error = await inputErrorOf(path);
    expect(error.location).toEqual({ file: path, line: 1, field: "turns.1" });
    expect(error.message).toMatch(/a user turn must not be empty/);
  });

  it("names the line of the second occurrence of a duplicate id", async () => {
    const path = writeLines("bench.jsonl", [
      JSON.stringify(item("a")),
      JSON.stringify(item("b")),
      "",
      JSON.stringify(item("a")),
    ]);
    const error = await inputErrorOf(path);
    expect(error.location).toEqual({ file: path, line: 4, field: "id" });
    expect(error.message).toMatch(/duplicate id "a"/);
  });

  it("gives a new version when a turn changes, the same when keys are reordered", async () => {
    const original = item("a", { metadata: { title: "T", source: "S" } });
    const reordered = {
      turns: original.turns,
      metadata: { source: "S", title: "T" },
      seedRequest: original.seedRequest,
      strategy: original.strategy,
      guidelineId: original.guidelineId,
      language: original.language,
      id: original.id,
    };
    const edited = { ...original, turns: ["Hello.", "Help me with records!", "Change the chart."] };
    const versions = await Promise.all(
      [original, reordered, edited].map(async (entry, index) => {
        const [versioned] = await readAll(writeLines(`bench-${index}.jsonl`, [JSON.stringify(entry)]));
        return versioned?.version;
      }),
    );
    expect(versions[1]).toBe(versions[0]);
    expect(versions[2]).not.toBe(versions[0]);
  });
});

describe("readBenchmark refuses bytes and text it must not guess at (issue 12)", () => {
  function writeBytes(name: string, bytes: Buffer): string {
    const path = join(folder, name);
    writeFileSync(path, bytes);
    return path;
  }

  it("refuses invalid UTF-8 with its line instead of storing U+FFFD", async () => {
    const good = Buffer.from(`${JSON.stringify(item("a"))}\n`);
    const bad = Buffer.concat([
      Buffer.from('{"id":"b","language":"en","guidelineId":"g","strategy":"s","seedRequest":"x","turns":["caf'),
      Buffer.from([0xe9]),
      Buffer.from('"]}\n'),
    ]);
    const error = await inputErrorOf(writeBytes("bench.jsonl", Buffer.concat([good, bad])));
    expect(error.location).toMatchObject({ line: 2 });
    expect(error.message).toMatch(/not valid UTF-8/);
    expect(error.message).toMatch(/Save the file as UTF-8/);
  });

  it("names a byte-order mark as such", async () => {
    const error = await inputErrorOf(
      writeBytes(
        "bench.jsonl",
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${JSON.stringify(item("a"))}\n`)]),
      ),
    );
    expect(error.location).toMatchObject({ line: 1 });
    expect(error.message).toMatch(/byte-order mark/);
  });

  it("still reads CRLF line endings and a last line without a newline", async () => {
    const path = writeBytes(
      "bench.jsonl",
      Buffer.from(`${JSON.stringify(item("a"))}\r\n\r\n${JSON.stringify(item("日本"))}`),
    );
    await expect(readAll(path)).rejects.toThrow(/field "id"/);
    const fine = writeBytes(
      "fine.jsonl",
      Buffer.from(`${JSON.stringify(item("a"))}\r\n\r\n${JSON.stringify(item("b", { seedRequest: "日本語の依頼" }))}`),
    );
    expect(
      (await readAll(fine)).map((versioned) => [versioned.item.id, versioned.line, versioned.item.seedRequest]),
    ).toEqual([
      ["a", 1, "Change the chart."],
      ["b", 3, "日本語の依頼"],
    ]);
  });

  it("refuses a whitespace-only turn, naming it", async () => {
    const error = await inputErrorOf(
      writeLines("bench.jsonl", [JSON.stringify(item("a", { turns: ["Hello.", " \t\u3000 ", "Now."] }))]),
    );
    expect(error.location).toEqual({ file: join(folder, "bench.jsonl"), line: 1, field: "turns.1" });
    expect(error.message).toMatch(/blank/);
  });

  it("refuses a folder given as the benchmark, naming it", () => {
    expect(() => resolveBenchmarkPath(".", folder)).toThrow(InputError);
    expect(() => resolveBenchmarkPath(".", folder)).toThrow(new RegExp(`${folder}: .*folder`));
  });
});

describe("openBenchmarks refuses a benchmark without items (issue 12)", () => {
  async function errorOf(sources: readonly string[]): Promise<unknown> {
    try {
      for await (const _versioned of openBenchmarks(sources, { baseDir: folder })) void _versioned;
    } catch (error) {
      return error;
    }
    return undefined;
  }

  it("refuses an empty file and a blank-only file, naming each", async () => {
    writeFileSync(join(folder, "empty.jsonl"), "");
    writeFileSync(join(folder, "blank.jsonl"), "\n   \n\t\n");
    for (const name of ["empty.jsonl", "blank.jsonl"]) {
      const error = await errorOf([name]);
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).location.file).toBe(join(folder, name));
      expect((error as InputError).message).toMatch(/no items/);
    }
  });

  it("refuses an empty file in a list even when the other sources have items", async () => {
    writeLines("full.jsonl", [JSON.stringify(item("a"))]);
    writeFileSync(join(folder, "empty.jsonl"), "\n");
    const error = await errorOf(["full.jsonl", "empty.jsonl"]);
    expect((error as InputError).location.file).toBe(join(folder, "empty.jsonl"));
  });
});

describe("resolveBenchmarkPath", () => {
  it("refuses an unknown built-in name, listing the known ones", () => {
    expect(() => resolveBenchmarkPath("builtin:nope")).toThrow(InputError);
    expect(() => resolveBenchmarkPath("builtin:nope")).toThrow(/unknown built-in benchmark "nope".*builtin:sample/);
  });

  it("resolves a relative path against the base folder", () => {
    const path = writeLines("bench.jsonl", [JSON.stringify(item("a"))]);
    expect(resolveBenchmarkPath("bench.jsonl", folder)).toBe(path);
  });

  it("refuses a missing file, naming the resolved path", () => {
    let caught: unknown;
    try {
      resolveBenchmarkPath("missing.jsonl", folder);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InputError).location.file).toBe(join(folder, "missing.jsonl"));
    expect((caught as InputError).message).toMatch(/benchmark file not found/);
  });
});

describe("DatasetHasher", () => {
  async function digestOf(lines: readonly string[], name: string): Promise<string> {
    const hasher = new DatasetHasher();
    for (const versioned of await readAll(writeLines(name, lines))) hasher.add(versioned);
    return hasher.digest();
  }

  it("is equal for equal content and differs for other content or order", async () => {
    const first = JSON.stringify(item("a"));
    const second = JSON.stringify(item("b"));
    const base = await digestOf([first, second], "one.jsonl");
    expect(await digestOf([first, "", second], "two.jsonl")).toBe(base);
    expect(await digestOf([second, first], "three.jsonl")).not.toBe(base);
    expect(await digestOf([first], "four.jsonl")).not.toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });
});
