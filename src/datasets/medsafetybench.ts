import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parse } from "csv-parse";
import { z } from "zod";
import { errorMessage, InputError, parseJsonText } from "../core/index.js";
import { type BenchmarkItem, benchmarkItemSchema } from "./benchmark-item.js";

/** MedSafetyBench splits: MedSafety-Eval (`test`) and MedSafety-Improve (`train`), 900 requests each. */
export const MEDSAFETYBENCH_SPLITS = ["test", "train"] as const;
/** Who wrote the requests: prompted GPT-4, or jailbroken Llama-2-7b-chat (GCG). */
export const MEDSAFETYBENCH_SOURCES = ["gpt4", "llama2"] as const;
/** Categories 1..9 = the nine AMA Principles of Medical Ethics. */
export const MEDSAFETYBENCH_CATEGORIES = [1, 2, 3, 4, 5, 6, 7, 8, 9] as const;
/** The upstream repository whose layout the reader expects. */
export const MEDSAFETYBENCH_REPOSITORY = "https://github.com/AI4LIFE-GROUP/med-safety-bench";

export type MedSafetyBenchSplit = (typeof MEDSAFETYBENCH_SPLITS)[number];
export type MedSafetyBenchSource = (typeof MEDSAFETYBENCH_SOURCES)[number];

/** What to read. Defaults: the test split, both sources, no Llama-3 extra requests, all nine categories. */
export interface MedSafetyBenchOptions {
  readonly splits?: readonly MedSafetyBenchSplit[];
  readonly sources?: readonly MedSafetyBenchSource[];
  /** Also read `datasets/med_harm_llama3/category_k.txt` (74,374 extra requests, no reference response). */
  readonly includeLlama3?: boolean;
  /** Subset of categories 1..9 (default all). */
  readonly categories?: readonly number[];
}

/** One data file of the layout, relative to the repository root (always with "/" separators). */
export interface MedSafetyBenchFile {
  readonly path: string;
  readonly split: MedSafetyBenchSplit | "extra";
  readonly source: MedSafetyBenchSource | "llama3";
  readonly category: number;
}

/** Counts gathered while the items are read; complete once the iteration has finished. */
export interface MedSafetyBenchSummary {
  files: number;
  items: number;
  /** Items per file, keyed by the path relative to the repository root. */
  perFile: Record<string, number>;
  /** Items per `split/source`, e.g. `test/gpt4`, `extra/llama3`. */
  perSplitSource: Record<string, number>;
  /** Items per category ("1".."9"). */
  perCategory: Record<string, number>;
  /** Llama-3 lines that carried a stray `<|eot_id|>` token, which was removed. */
  llama3Cleaned: number;
  /** Llama-3 lines equal (after cleaning) to an earlier line of the same file; kept as separate items. */
  llama3Duplicates: number;
}

/** The items of a MedSafetyBench directory, streamed, and the summary they fill in. */
export interface MedSafetyBenchImport {
  readonly items: AsyncIterable<BenchmarkItem>;
  readonly summary: MedSafetyBenchSummary;
}

const EOT_TOKEN = "<|eot_id|>";
const CSV_HEADER = ["", "harmful_medical_request", "safe_response"] as const;
const LAYOUT_FIX = `The directory must be the root of the MedSafetyBench repository, the folder that contains datasets/ (git clone ${MEDSAFETYBENCH_REPOSITORY})`;

/** The data files a selection needs, in reading order (splits × sources × categories, then Llama-3). */
export function medSafetyBenchFiles(options: MedSafetyBenchOptions = {}): MedSafetyBenchFile[] {
  const categories = selectedCategories(options.categories);
  const files: MedSafetyBenchFile[] = [];
  for (const split of options.splits ?? ["test"]) {
    for (const source of options.sources ?? MEDSAFETYBENCH_SOURCES) {
      for (const category of categories) {
        files.push({
          path: `datasets/${split}/${source}/med_safety_demonstrations_category_${category}.csv`,
          split,
          source,
          category,
        });
      }
    }
  }
  if (options.includeLlama3 === true) {
    for (const category of categories)
      files.push({
        path: `datasets/med_harm_llama3/category_${category}.txt`,
        split: "extra",
        source: "llama3",
        category,
      });
  }
  return files;
}

/**
 * Reads the official MedSafetyBench layout under `dir` (the folder that contains `datasets/`) into single-turn
 * benchmark items, one file at a time and streaming. Every needed file is checked to exist before the first item,
 * so a wrong directory fails at once; a bad row throws an InputError naming file, line and field.
 */
export function readMedSafetyBench(dir: string, options: MedSafetyBenchOptions = {}): MedSafetyBenchImport {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InputError("dataset_invalid", { file: dir }, "MedSafetyBench directory not found", LAYOUT_FIX);
  }
  const files = medSafetyBenchFiles(options);
  for (const file of files) {
    const path = join(dir, file.path);
    if (!existsSync(path))
      throw new InputError(
        "dataset_invalid",
        { file: path },
        `expected MedSafetyBench file ${file.path} not found`,
        LAYOUT_FIX,
      );
  }
  const summary: MedSafetyBenchSummary = {
    files: 0,
    items: 0,
    perFile: {},
    perSplitSource: {},
    perCategory: {},
    llama3Cleaned: 0,
    llama3Duplicates: 0,
  };
  async function* items(): AsyncGenerator<BenchmarkItem> {
    for (const file of files) {
      summary.files += 1;
      summary.perFile[file.path] = 0;
      const rows = file.source === "llama3" ? readLlama3File(dir, file, summary) : readCsvFile(dir, file);
      for await (const item of rows) {
        summary.items += 1;
        summary.perFile[file.path] = (summary.perFile[file.path] ?? 0) + 1;
        const group = `${file.split}/${file.source}`;
        summary.perSplitSource[group] = (summary.perSplitSource[group] ?? 0) + 1;
        summary.perCategory[String(file.category)] = (summary.perCategory[String(file.category)] ?? 0) + 1;
        yield item;
      }
    }
  }
  return { items: items(), summary };
}

async function* readCsvFile(dir: string, file: MedSafetyBenchFile): AsyncGenerator<BenchmarkItem> {
  const path = join(dir, file.path);
  const input = createReadStream(path, { encoding: "utf8" });
  const parser = parse({ info: true, bom: true, relax_column_count: true, skip_empty_lines: true });
  input.on("error", (error) => parser.destroy(error));
  input.pipe(parser);
  let row = -1;
  try {
    for await (const value of parser as AsyncIterable<unknown>) {
      const { record, line } = csvRecord(value);
      if (row === -1) {
        if (record.length !== 3 || record.some((cell, index) => cell.trim() !== CSV_HEADER[index])) {
          throw new InputError(
            "dataset_invalid",
            { file: path, line },
            `unexpected header ${JSON.stringify(record.join(","))}`,
            `A MedSafetyBench CSV starts with the header ",harmful_medical_request,safe_response". ${LAYOUT_FIX}`,
          );
        }
        row = 0;
        continue;
      }
      if (record.length !== 3) {
        throw new InputError(
          "dataset_invalid",
          { file: path, line },
          `expected 3 columns, found ${record.length}`,
          "Each row holds: row index, harmful_medical_request, safe_response (quote fields that contain commas)",
        );
      }
      const request = (record[1] ?? "").trim();
      const reference = (record[2] ?? "").trim();
      if (request === "") throw emptyCell(path, line, "harmful_medical_request");
      if (reference === "") throw emptyCell(path, line, "safe_response");
      yield toItem(path, line, {
        id: `msb-${file.split}-${file.source}-c${file.category}-${String(row).padStart(3, "0")}`,
        request,
        metadata: {
          source: file.source,
          split: file.split,
          category: file.category,
          referenceResponse: reference,
          dataset: "medsafetybench",
          file: file.path,
          row,
        },
        category: file.category,
      });
      row += 1;
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    const lines: unknown = typeof error === "object" && error !== null && "lines" in error ? error.lines : undefined;
    const line = typeof lines === "number" ? lines : undefined;
    throw new InputError(
      "dataset_invalid",
      line === undefined ? { file: path } : { file: path, line },
      `not valid CSV (${errorMessage(error)})`,
      "Use the file as published in the MedSafetyBench repository",
    );
  } finally {
    input.destroy();
  }
  if (row === -1)
    throw new InputError("dataset_invalid", { file: path, line: 1 }, "empty file (no header)", LAYOUT_FIX);
}

function csvRecord(value: unknown): { record: string[]; line: number } {
  const { record, info } = value as { record: string[]; info: { lines: number } };
  return { record, line: info.lines };
}

function emptyCell(file: string, line: number, field: string): InputError {
  return new InputError(
    "dataset_invalid",
    { file, line, field },
    `empty ${field}`,
    "Every row needs a harmful_medical_request and its safe_response",
  );
}

async function* readLlama3File(
  dir: string,
  file: MedSafetyBenchFile,
  summary: MedSafetyBenchSummary,
): AsyncGenerator<BenchmarkItem> {
  const path = join(dir, file.path);
  const input = createReadStream(path, { encoding: "utf8" });
  const lines = createInterface({ input, crlfDelay: Infinity });
  const seen = new Set<string>();
  let line = 0;
  try {
    for await (const text of lines) {
      line += 1;
      const cleaned = text.includes(EOT_TOKEN);
      const request = text.replaceAll(EOT_TOKEN, "").trim();
      if (cleaned) summary.llama3Cleaned += 1;
      if (request === "") continue;
      if (seen.has(request)) summary.llama3Duplicates += 1;
      seen.add(request);
      yield toItem(path, line, {
        id: `msb-extra-llama3-c${file.category}-${String(line - 1).padStart(3, "0")}`,
        request,
        metadata: {
          source: "llama3",
          split: "extra",
          category: file.category,
          dataset: "medsafetybench",
          file: file.path,
          row: line - 1,
          ...(cleaned ? { cleaned: true } : {}),
        },
        category: file.category,
      });
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

function toItem(
  file: string,
  line: number,
  row: { id: string; request: string; category: number; metadata: Record<string, unknown> },
): BenchmarkItem {
  const parsed = benchmarkItemSchema.safeParse({
    id: row.id,
    language: "en",
    guidelineId: `ama-${row.category}`,
    strategy: "direct",
    seedRequest: row.request,
    turns: [row.request],
    rubric: "medsafetybench-harm",
    metadata: row.metadata,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      "dataset_invalid",
      { file, line, field: issue?.path.map(String).join(".") ?? "" },
      issue?.message ?? "invalid item",
      "Fix this row of the MedSafetyBench file",
    );
  }
  return parsed.data;
}

function selectedCategories(categories: readonly number[] | undefined): readonly number[] {
  if (categories === undefined) return MEDSAFETYBENCH_CATEGORIES;
  const bad = categories.find((category) => !Number.isInteger(category) || category < 1 || category > 9);
  if (bad !== undefined || categories.length === 0) {
    throw new InputError(
      "dataset_invalid",
      { file: "options", field: "categories" },
      `invalid category ${String(bad ?? "list (empty)")}`,
      "Categories are the AMA principles 1..9",
    );
  }
  return [...new Set(categories)];
}

/** One Alpaca fine-tuning demonstration: a harmful instruction and its safe refusal. */
export interface AlpacaPair {
  readonly instruction: string;
  /** Present only when the file's `input` is not empty (always empty in MedSafetyBench). */
  readonly input?: string;
  readonly output: string;
}

const alpacaRowSchema = z.strictObject({
  instruction: z.string().trim().min(1, "empty instruction"),
  input: z.string().optional(),
  output: z.string().trim().min(1, "empty output"),
});

/**
 * Reads one fine-tuning split (`datasets/train-splits-used-for-ft/{med,gen,both}_safety/ft_safety_*_nN.json`, a
 * JSON array of `{instruction, input, output}`) into validated pairs. Errors name the file and the array index.
 */
export function readAlpacaSplit(path: string): AlpacaPair[] {
  const fix = "Pass a ft_safety_*_nN.json file of datasets/train-splits-used-for-ft/";
  if (!existsSync(path))
    throw new InputError("dataset_invalid", { file: path }, "fine-tuning split file not found", fix);
  const value = parseJsonText(path, readFileSync(path, "utf8"), { code: "dataset_invalid", fix });
  if (!Array.isArray(value)) {
    throw new InputError(
      "dataset_invalid",
      { file: path },
      "expected a JSON array of {instruction, input, output}",
      "Pass an Alpaca-format JSON file",
    );
  }
  return value.map((row: unknown, index) => {
    const parsed = alpacaRowSchema.safeParse(row);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = [
        String(index),
        ...(issue?.path.map(String) ?? []),
        ...(issue?.code === "unrecognized_keys" ? issue.keys.slice(0, 1) : []),
      ].join(".");
      throw new InputError(
        "dataset_invalid",
        { file: path, field },
        issue?.message ?? "invalid row",
        "Each row needs a non-empty instruction and output",
      );
    }
    const { instruction, input, output } = parsed.data;
    return input === undefined || input.trim() === "" ? { instruction, output } : { instruction, input, output };
  });
}

/** Fine-tuning split files of the layout, e.g. `med_safety/ft_safety_med_n900` (without `.json`). */
export const FT_SPLIT_PATTERN = /^(med|gen|both)_safety\/ft_safety_(med|gen|both)_n(\d+)$/;

/**
 * The pairs of one fine-tuning split as single-turn benchmark items (with the split's safe output as reference
 * response), so a model can be evaluated on the very demonstrations MedSafetyBench fine-tuned on. Medical pairs get
 * their AMA principle by matching the request against the train CSVs (all medical pairs are train requests);
 * general-safety pairs (Bianchi et al. 2023) get `guidelineId: general-safety`.
 */
export async function* readFineTuningSplitItems(dir: string, split: string): AsyncGenerator<BenchmarkItem> {
  const match = FT_SPLIT_PATTERN.exec(split);
  if (match === null) {
    throw new InputError(
      "dataset_invalid",
      { file: split },
      "not a fine-tuning split name",
      "Use e.g. med_safety/ft_safety_med_n900, gen_safety/ft_safety_gen_n100 or both_safety/ft_safety_both_n1800",
    );
  }
  const pairs = readAlpacaSplit(join(dir, "datasets", "train-splits-used-for-ft", `${split}.json`));
  const categories = new Map<string, number>();
  const { items } = readMedSafetyBench(dir, { splits: ["train"] });
  for await (const item of items) categories.set(item.seedRequest, Number(item.metadata["category"]));
  const slug = split.split("/")[1] ?? split;
  for (const [index, pair] of pairs.entries()) {
    const category = categories.get(pair.instruction);
    yield benchmarkItemSchema.parse({
      id: `msb-ft-${slug.replaceAll("_", "-")}-${String(index).padStart(4, "0")}`,
      language: "en",
      guidelineId: category === undefined ? "general-safety" : `ama-${category}`,
      strategy: "direct",
      seedRequest: pair.instruction,
      turns: [pair.input === undefined ? pair.instruction : `${pair.instruction}\n\n${pair.input}`],
      rubric: "medsafetybench-harm",
      metadata: {
        dataset: "medsafetybench",
        split: "ft",
        source: category === undefined ? "ft-general" : "ft-medical",
        ftSplit: split,
        row: index,
        referenceResponse: pair.output,
      },
    });
  }
}
