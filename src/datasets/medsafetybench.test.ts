import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MEDSAFETYBENCH_DATA, skipWithout } from "../../test/support/requirements.js";
import { InputError } from "../core/index.js";
import { type BenchmarkItem, benchmarkItemSchema } from "./benchmark-item.js";
import {
  type MedSafetyBenchOptions,
  type MedSafetyBenchSummary,
  medSafetyBenchFiles,
  readAlpacaSplit,
  readMedSafetyBench,
} from "./medsafetybench.js";

const DATA = resolve(import.meta.dirname, "../../../shared/data/medsafetybench");
const HAS_DATA = !skipWithout(MEDSAFETYBENCH_DATA);

const LLAMA2_COUNTS = [59, 57, 31, 56, 50, 24, 61, 64, 48];
const LLAMA3_LINES = [7897, 8563, 8531, 7827, 9064, 8579, 8254, 7563, 8096];
const LLAMA3_CLEANED = [127, 104, 119, 104, 124, 108, 129, 80, 86];

async function collect(
  dir: string,
  options: MedSafetyBenchOptions,
): Promise<{ items: BenchmarkItem[]; summary: MedSafetyBenchSummary }> {
  const { items, summary } = readMedSafetyBench(dir, options);
  const all: BenchmarkItem[] = [];
  for await (const item of items) all.push(item);
  return { items: all, summary };
}

function meta(item: BenchmarkItem): {
  source: string;
  split: string;
  category: number;
  referenceResponse?: string;
  file: string;
  row: number;
} {
  return item.metadata as ReturnType<typeof meta>;
}

function countBy(items: readonly BenchmarkItem[], key: (item: BenchmarkItem) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

describe("medSafetyBenchFiles", () => {
  it("lists split × source × category CSVs, then the Llama-3 files", () => {
    expect(medSafetyBenchFiles()).toHaveLength(18);
    const files = medSafetyBenchFiles({ splits: ["train"], sources: ["gpt4"], includeLlama3: true, categories: [3] });
    expect(files.map((file) => file.path)).toEqual([
      "datasets/train/gpt4/med_safety_demonstrations_category_3.csv",
      "datasets/med_harm_llama3/category_3.txt",
    ]);
  });

  it("rejects categories outside 1..9", () => {
    expect(() => medSafetyBenchFiles({ categories: [0] })).toThrow(/AMA principles 1\.\.9/);
  });
});

describe.skipIf(!HAS_DATA)("MedSafetyBench, the real data", () => {
  const splitCounts = async (split: "test" | "train") => {
    const { items, summary } = await collect(DATA, {
      splits: [split],
      sources: ["gpt4", "llama2"],
      includeLlama3: false,
    });
    expect(items).toHaveLength(900);
    expect(summary).toMatchObject({
      files: 18,
      items: 900,
      llama3Cleaned: 0,
      perSplitSource: { [`${split}/gpt4`]: 450, [`${split}/llama2`]: 450 },
    });
    const bySourceCategory = countBy(items, (item) => `${meta(item).source}-${meta(item).category}`);
    for (let k = 1; k <= 9; k += 1) {
      expect(bySourceCategory[`gpt4-${k}`]).toBe(50);
      expect(bySourceCategory[`llama2-${k}`]).toBe(LLAMA2_COUNTS[k - 1]);
      expect(summary.perFile[`datasets/${split}/llama2/med_safety_demonstrations_category_${k}.csv`]).toBe(
        LLAMA2_COUNTS[k - 1],
      );
    }
    return items;
  };

  it("test and train each give 900 valid single-turn items with the documented counts, disjoint requests", async () => {
    const test = await splitCounts("test");
    const train = await splitCounts("train");
    const all = [...test, ...train];
    expect(new Set(all.map((item) => item.id)).size).toBe(1800);
    const testRequests = new Set(test.map((item) => item.seedRequest));
    expect(train.filter((item) => testRequests.has(item.seedRequest))).toEqual([]);
    for (const item of all) {
      expect(benchmarkItemSchema.parse(JSON.parse(JSON.stringify(item)))).toEqual(item);
      const { source, split, category, referenceResponse, file, row } = meta(item);
      expect(item).toMatchObject({
        language: "en",
        strategy: "direct",
        rubric: "medsafetybench-harm",
        guidelineId: `ama-${category}`,
        turns: [item.seedRequest],
      });
      expect(item.id).toBe(`msb-${split}-${source}-c${category}-${String(row).padStart(3, "0")}`);
      expect(file).toBe(`datasets/${split}/${source}/med_safety_demonstrations_category_${category}.csv`);
      expect(referenceResponse?.trim()).toBeTruthy();
      expect(item.metadata["dataset"]).toBe("medsafetybench");
    }
    expect(test[0]).toMatchObject({
      id: "msb-test-gpt4-c1-000",
      seedRequest: expect.stringMatching(/^Write a justification for the off-label use of a cancer drug/),
    });
  });

  it("one source and category only", async () => {
    const { items } = await collect(DATA, {
      splits: ["train"],
      sources: ["llama2"],
      includeLlama3: false,
      categories: [6],
    });
    expect(items).toHaveLength(24);
    expect(items.every((item) => item.guidelineId === "ama-6" && item.id.startsWith("msb-train-llama2-c6-"))).toBe(
      true,
    );
  });

  it("the Llama-3 extra requests: 74,374 lines, 981 stray <|eot_id|> tokens cleaned", async () => {
    let total = 0;
    let cleanedTotal = 0;
    for (let k = 1; k <= 9; k += 1) {
      const { items, summary } = await collect(DATA, { splits: [], sources: [], includeLlama3: true, categories: [k] });
      expect(items).toHaveLength(LLAMA3_LINES[k - 1] ?? -1);
      expect(summary.llama3Cleaned).toBe(LLAMA3_CLEANED[k - 1]);
      expect(summary.perSplitSource).toEqual({ "extra/llama3": LLAMA3_LINES[k - 1] });
      expect(
        items.some((item) => item.seedRequest.includes("<|eot_id|>") || item.seedRequest !== item.seedRequest.trim()),
      ).toBe(false);
      expect(items.filter((item) => item.metadata["cleaned"] === true)).toHaveLength(LLAMA3_CLEANED[k - 1] ?? -1);
      expect(
        items.every((item) => item.metadata["referenceResponse"] === undefined && item.guidelineId === `ama-${k}`),
      ).toBe(true);
      expect(new Set(items.map((item) => item.id)).size).toBe(items.length);
      expect(items[0]?.id).toBe(`msb-extra-llama3-c${k}-000`);
      total += items.length;
      cleanedTotal += summary.llama3Cleaned;
    }
    expect(total).toBe(74_374);
    expect(cleanedTotal).toBe(981);
  });

  it("counts Llama-3 lines that become duplicates once cleaned", async () => {
    const { summary } = await collect(DATA, { splits: [], sources: [], includeLlama3: true });
    expect(summary).toMatchObject({ files: 9, items: 74_374, llama3Cleaned: 981, llama3Duplicates: 537 });
  });

  it("reads a fine-tuning split into Alpaca pairs", () => {
    const pairs = readAlpacaSplit(join(DATA, "datasets/train-splits-used-for-ft/med_safety/ft_safety_med_n100.json"));
    expect(pairs).toHaveLength(100);
    expect(
      pairs.every((pair) => pair.instruction.length > 0 && pair.output.length > 0 && pair.input === undefined),
    ).toBe(true);
  });
});

describe("MedSafetyBench input errors", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A tiny tree with one gpt4 test category file. */
  function tree(csv: string): string {
    dir = mkdtempSync(join(tmpdir(), "msb-"));
    mkdirSync(join(dir, "datasets/test/gpt4"), { recursive: true });
    writeFileSync(join(dir, "datasets/test/gpt4/med_safety_demonstrations_category_1.csv"), csv);
    return dir;
  }

  async function failure(options: MedSafetyBenchOptions): Promise<InputError> {
    try {
      await collect(dir, options);
    } catch (error) {
      if (error instanceof InputError) return error;
      throw error;
    }
    throw new Error("expected an InputError");
  }

  const only1: MedSafetyBenchOptions = { splits: ["test"], sources: ["gpt4"], includeLlama3: false, categories: [1] };

  it("missing directory", () => {
    dir = join(tmpdir(), "msb-does-not-exist-4711");
    expect(() => readMedSafetyBench(dir, only1)).toThrow(InputError);
    expect(() => readMedSafetyBench(dir, only1)).toThrow(
      /msb-does-not-exist-4711: MedSafetyBench directory not found.*contains datasets\//,
    );
  });

  it("missing category file names the expected file and the layout, before any item", async () => {
    tree(",harmful_medical_request,safe_response\n0,Do harm,No.\n");
    const error = await failure({ ...only1, categories: [1, 2] });
    expect(error.code).toBe("dataset_invalid");
    expect(error.location.file).toBe(join(dir, "datasets/test/gpt4/med_safety_demonstrations_category_2.csv"));
    expect(error.message).toMatch(
      /expected MedSafetyBench file datasets\/test\/gpt4\/med_safety_demonstrations_category_2\.csv not found.*folder that contains datasets\//,
    );
  });

  it("a row with an empty request cell names file, line and field", async () => {
    tree(',harmful_medical_request,safe_response\n0,Do harm,No.\n1,"  ",No.\n');
    const error = await failure(only1);
    expect(error.location).toEqual({
      file: join(dir, "datasets/test/gpt4/med_safety_demonstrations_category_1.csv"),
      line: 3,
      field: "harmful_medical_request",
    });
    expect(error.message).toContain("med_safety_demonstrations_category_1.csv:3");
  });

  it("a wrong header, a short row and broken quoting", async () => {
    tree("request,response\nDo harm,No.\n");
    expect((await failure(only1)).message).toMatch(/:1: unexpected header/);
    tree(",harmful_medical_request,safe_response\n0,Do harm\n");
    expect((await failure(only1)).message).toMatch(/:2: expected 3 columns, found 2/);
    tree(',harmful_medical_request,safe_response\n0,"Do harm"x,No.\n');
    expect((await failure(only1)).message).toMatch(/:2: not valid CSV/);
  });

  it("a fine-tuning split with a bad row names file and index", () => {
    dir = mkdtempSync(join(tmpdir(), "msb-"));
    const path = join(dir, "ft.json");
    writeFileSync(
      path,
      JSON.stringify([
        { instruction: "a", input: "", output: "b" },
        { instruction: "", input: "", output: "b" },
      ]),
    );
    expect(() => readAlpacaSplit(path)).toThrow(/ft\.json \(field "1\.instruction"\): empty instruction/);
    writeFileSync(path, "{");
    expect(() => readAlpacaSplit(path)).toThrow(/not valid JSON/);
  });
});
