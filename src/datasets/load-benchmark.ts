import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { hashValue, InputError, packageRoot, parseJsonLine } from "../core/index.js";
import { type BenchmarkItem, benchmarkItemSchema } from "./benchmark-item.js";
import { readUtf8Lines } from "./utf8-lines.js";

export const BUILTIN_BENCHMARKS = {
  sample: "src/datasets/builtin/sample.jsonl",
  benign: "src/datasets/builtin/benign-medical.jsonl",
} as const;

/** An item with its version: a hash of its canonical content, so an edited item is a new item for resume. */
export interface VersionedItem {
  readonly item: BenchmarkItem;
  readonly version: string;
  /** Where the item came from, for error messages. */
  readonly file: string;
  readonly line: number;
}

/** Resolves `builtin:<name>` or a path (relative to `baseDir`) to a readable file path. */
export function resolveBenchmarkPath(source: string, baseDir = "."): string {
  if (source.startsWith("builtin:")) {
    const name = source.slice("builtin:".length);
    const relative = (BUILTIN_BENCHMARKS as Record<string, string>)[name];
    if (relative === undefined) {
      throw new InputError(
        "dataset_invalid",
        { file: source },
        `unknown built-in benchmark "${name}"`,
        `Use one of: ${Object.keys(BUILTIN_BENCHMARKS)
          .map((key) => `builtin:${key}`)
          .join(", ")}, or a path to a JSONL file`,
      );
    }
    return join(packageRoot(), relative);
  }
  const path = resolve(baseDir, source);
  if (!existsSync(path)) {
    throw new InputError(
      "dataset_invalid",
      { file: path },
      "benchmark file not found",
      'Check the "benchmark" key of the config (a path is relative to the config file) or use builtin:sample',
    );
  }
  if (statSync(path).isDirectory()) {
    throw new InputError(
      "dataset_invalid",
      { file: path },
      "this is a folder, not a benchmark file",
      "Give the path of a JSONL file (one conversation per line; see docs/benchmark-format.md) or use builtin:sample",
    );
  }
  return path;
}

/**
 * Streams and validates a benchmark JSONL file line by line (memory flat in file size). Throws an InputError
 * naming file, line and field on the first bad line (not UTF-8, a byte-order mark, not JSON, not an item), and on
 * duplicate ids. A file without items yields nothing: `openBenchmarks` refuses that for runs.
 */
export async function* readBenchmark(path: string): AsyncGenerator<VersionedItem> {
  const seen = new Set<string>();
  for await (const { number: lineNumber, text } of readUtf8Lines(path)) {
    if (text.trim() === "") continue;
    const item = parseLine(path, lineNumber, text);
    if (seen.has(item.id)) {
      throw new InputError(
        "dataset_invalid",
        { file: path, line: lineNumber, field: "id" },
        `duplicate id "${item.id}"`,
        "Give every conversation a unique id",
      );
    }
    seen.add(item.id);
    yield { item, version: hashValue(item), file: path, line: lineNumber };
  }
}

function parseLine(file: string, line: number, text: string): BenchmarkItem {
  return parseJsonLine(file, line, text, benchmarkItemSchema, {
    syntaxFix: "Each line must be one complete JSON object; see docs/benchmark-format.md",
    fix: "Fix this line; the fields and their types are listed in docs/benchmark-format.md",
  });
}

/** sha256 over the versions of all items, in order: equal datasets give equal hashes. */
export class DatasetHasher {
  private readonly hash = createHash("sha256");
  add(item: VersionedItem): void {
    this.hash.update(`${item.version}\n`);
  }
  digest(): string {
    return this.hash.digest("hex");
  }
}
