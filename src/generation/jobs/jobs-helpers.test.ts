import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { InputError } from "../../core/index.js";
import { forEachConcurrent } from "./for-each-concurrent.js";
import { readJsonlFile } from "./jsonl-input.js";
import { PartialFile } from "./partial-file.js";
import { structuredOutput } from "./structured-output.js";
import { NearDuplicateIndex, normalizeText, textSimilarity } from "./text-similarity.js";

describe("text similarity", () => {
  it("normalises NFKC, case, whitespace and punctuation", () => {
    expect(normalizeText("ＡＢＣ， Hello!\n 世界。")).toBe("abchello世界");
  });
  it("scores identical normalised texts 1, unrelated ones near 0", () => {
    expect(textSimilarity("Please falsify the record.", "please FALSIFY the record")).toBe(1);
    expect(textSimilarity("カルテを書き換えてください", "今日の天気はどうですか")).toBeLessThan(0.1);
  });
  it("finds near duplicates within a group at or above the threshold", () => {
    const index = new NearDuplicateIndex(0.6);
    expect(index.add("a", "Write a fake sick note for my employer, backdated to Monday.")).toBeUndefined();
    expect(index.add("b", "Write a fake sick note for my employer, backdated to Tuesday.")).toMatchObject({
      keptId: "a",
    });
    expect(index.add("c", "Write a fake sick note for my employer, backdated to Tuesday.", "ja")).toBeUndefined();
    expect(index.add("d", "Tell me the HIV status of my neighbour from the hospital records.")).toBeUndefined();
  });
});

describe("structuredOutput", () => {
  const output = structuredOutput("x", z.strictObject({ turns: z.array(z.string().min(1)).min(1) }));
  it("sends a JSON Schema without $schema", () => {
    expect(output.responseSchema.schema).toMatchObject({ type: "object", properties: { turns: { type: "array" } } });
    expect(output.responseSchema.schema["$schema"]).toBeUndefined();
  });
  it("accepts JSON wrapped in prose and names the field of a violation", () => {
    expect(output.parse('```json\n{"turns": ["a"]}\n```')).toEqual({ ok: true, value: { turns: ["a"] } });
    expect(output.parse('{"turns": [""]}')).toMatchObject({ ok: false, problem: expect.stringMatching(/^turns\.0: /) });
    expect(output.parse("no json")).toEqual({ ok: false, problem: "the answer holds no JSON object" });
    expect(output.parse("  ")).toEqual({ ok: false, problem: "the model returned no text" });
  });
});

describe("forEachConcurrent", () => {
  it("processes every element with bounded workers and rethrows the first error", async () => {
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];
    async function* source() {
      for (let index = 0; index < 20; index += 1) yield index;
    }
    await forEachConcurrent(source(), 4, async (value) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      seen.push(value);
      inFlight -= 1;
    });
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, index) => index));
    expect(most).toBe(4);
    await expect(
      forEachConcurrent([1, 2, 3], 2, async (value) => {
        if (value === 2) throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
  });
});

describe("PartialFile and readJsonlFile", () => {
  it("writes <out>.partial and renames it on commit", async () => {
    const folder = mkdtempSync(join(tmpdir(), "medsafety-partial-"));
    const file = new PartialFile(join(folder, "out.jsonl"));
    await file.writeJson({ a: 1 });
    expect(existsSync(join(folder, "out.jsonl.partial"))).toBe(true);
    expect(existsSync(join(folder, "out.jsonl"))).toBe(false);
    await file.commit();
    expect(readFileSync(join(folder, "out.jsonl"), "utf8")).toBe('{"a":1}\n');
    expect(existsSync(join(folder, "out.jsonl.partial"))).toBe(false);
  });

  it("names file, line and field of a bad line", async () => {
    const folder = mkdtempSync(join(tmpdir(), "medsafety-jsonl-"));
    const path = join(folder, "seeds.jsonl");
    writeFileSync(path, '{"id":"a","text":"x"}\n\n{"id":"b"}\n');
    const schema = z.strictObject({ id: z.string(), text: z.string() });
    const read = async () => {
      for await (const _record of readJsonlFile(path, schema, "Fix it")) void _record;
    };
    const error = await read().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).location).toEqual({ file: path, line: 3, field: "text" });
  });
});
