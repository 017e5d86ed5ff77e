import { join, resolve } from "node:path";
import { hashValue, InputError } from "../core/index.js";
import { readBenchmark, resolveBenchmarkPath, type VersionedItem } from "./load-benchmark.js";
import {
  MEDSAFETYBENCH_REPOSITORY,
  MEDSAFETYBENCH_SOURCES,
  MEDSAFETYBENCH_SPLITS,
  type MedSafetyBenchSource,
  type MedSafetyBenchSplit,
  readMedSafetyBench,
} from "./medsafetybench.js";

export interface OpenBenchmarksOptions {
  /** Folder relative paths are resolved against (the config's folder). */
  readonly baseDir?: string;
  /** The MedSafetyBench repository folder (the one holding datasets/), for `medsafetybench:` sources. */
  readonly medsafetybenchDir?: string;
  /** Where `MEDSAFETY_DATA` is read from when `medsafetybenchDir` is not given (the CLI passes `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Streams the items of one or more benchmark sources, in order: `builtin:<name>`, a JSONL path, or
 * `medsafetybench:<test|train|all>[:<gpt4|llama2>]` read straight from the official MedSafetyBench layout.
 * Every source is resolved before the first item is read, so a typo fails before a run starts.
 */
export async function* openBenchmarks(
  sources: readonly string[],
  options: OpenBenchmarksOptions = {},
): AsyncGenerator<VersionedItem> {
  if (sources.length === 0)
    throw new InputError(
      "config_invalid",
      { file: "config", field: "benchmark" },
      "no benchmark given",
      "Set benchmark to builtin:sample or a JSONL path",
    );
  const readers = sources.map((source) =>
    source.startsWith("medsafetybench:") ? medSafetyBenchReader(source, options) : fileReader(source, options),
  );
  for (const read of readers) yield* read();
}

/**
 * A source without a single item would make a run of nothing that ends as `success`: refused, naming the source.
 * (The config's `languages` and `limit` filters are applied later, by the run.)
 */
async function* refuseEmpty(items: AsyncGenerator<VersionedItem>, file: string): AsyncGenerator<VersionedItem> {
  let count = 0;
  for await (const item of items) {
    count += 1;
    yield item;
  }
  if (count === 0) {
    throw new InputError(
      "dataset_invalid",
      { file },
      "the benchmark has no items (the file is empty or holds only blank lines)",
      'Add conversations, one JSON object per line (see docs/benchmark-format.md), or remove this source from the config\'s "benchmark"',
    );
  }
}

function fileReader(source: string, options: OpenBenchmarksOptions): () => AsyncGenerator<VersionedItem> {
  const path = resolveBenchmarkPath(source, options.baseDir);
  return () => refuseEmpty(readBenchmark(path), path);
}

function medSafetyBenchReader(source: string, options: OpenBenchmarksOptions): () => AsyncGenerator<VersionedItem> {
  const [, splitText = "", sourceText] = source.split(":");
  const splits =
    splitText === "all" ? MEDSAFETYBENCH_SPLITS : MEDSAFETYBENCH_SPLITS.filter((split) => split === splitText);
  const origins =
    sourceText === undefined
      ? MEDSAFETYBENCH_SOURCES
      : MEDSAFETYBENCH_SOURCES.filter((origin) => origin === sourceText);
  if (splits.length === 0 || origins.length === 0) {
    throw new InputError(
      "config_invalid",
      { file: "config", field: "benchmark" },
      `"${source}" is not a MedSafetyBench selection`,
      "Use medsafetybench:test, medsafetybench:train or medsafetybench:all, optionally followed by :gpt4 or :llama2",
    );
  }
  const dir = medSafetyBenchDir(options);
  const origin = `${source} (${dir})`;
  return () =>
    refuseEmpty(
      (async function* read() {
        const { items } = readMedSafetyBench(dir, {
          splits: splits as MedSafetyBenchSplit[],
          sources: origins as MedSafetyBenchSource[],
        });
        let index = 0;
        for await (const item of items) yield { item, version: hashValue(item), file: origin, line: ++index };
      })(),
      origin,
    );
}

function medSafetyBenchDir(options: OpenBenchmarksOptions): string {
  if (options.medsafetybenchDir !== undefined) return resolve(options.baseDir ?? ".", options.medsafetybenchDir);
  const data = options.env?.["MEDSAFETY_DATA"];
  if (data !== undefined && data !== "") return join(resolve(data), "medsafetybench");
  throw new InputError(
    "config_invalid",
    { file: "config", field: "medsafetybenchDir" },
    "medsafetybench: benchmarks need the MedSafetyBench data",
    `Set medsafetybenchDir in the config to a clone of ${MEDSAFETYBENCH_REPOSITORY} (the folder holding datasets/), or MEDSAFETY_DATA to a folder containing medsafetybench/, or import it once with \`medsafety import medsafetybench <dir>\` and use the JSONL file`,
  );
}
