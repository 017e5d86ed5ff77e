/**
 * @module datasets
 * Benchmark items: the JSONL format (docs/benchmark-format.md), streaming load with validation errors that
 * name file, line and field, item versions and dataset hashes, and the built-in sample benchmark.
 * Built-in sets: `builtin:sample` (28 multi-turn items) and `builtin:benign` (104 benign requests, for
 * over-refusal). The MedSafetyBench reader (medsafetybench.ts) reads the official layout from a local checkout
 * (`medsafetybench:` sources); `openBenchmarks` streams a list of builtin:, file and medsafetybench: sources.
 * Every line is decoded with a fatal UTF-8 decoder (utf8-lines.ts; a byte-order mark is refused by name).
 * `medsafety import dataset` (decision 0032): field-mapping.ts (`--map` / `--mapping` rules and the pre-made
 * mappings/*.yaml), import-dataset-rows.ts (JSON, JSONL, CSV/TSV, Parquet rows), import-dataset.ts (rows → items,
 * errors naming file/row/field, provenance in metadata) and hub-client.ts (Hugging Face Hub downloads, resumed, pinned).
 * Start with benchmark-item.ts (the item schema), then load-benchmark.ts and open-benchmarks.ts.
 */
export {
  type BenchmarkItem,
  type BenchmarkItemInput,
  benchmarkItemSchema,
  STRATEGY_FAMILIES,
} from "./benchmark-item.js";
export { buildFieldMapping, DATASET_FORMATS, type DatasetFormat } from "./field-mapping.js";
export {
  DEFAULT_HUB_ENDPOINT,
  dataFilesOf,
  downloadHubFile,
  fetchDatasetInfo,
  type HubClientOptions,
  type HubSource,
  parseHubSource,
  resolveUrl,
} from "./hub-client.js";
export { type DatasetFile, type ImportDatasetSummary, importDataset } from "./import-dataset.js";
export { formatOfPath } from "./import-dataset-rows.js";
export { DatasetHasher, readBenchmark, resolveBenchmarkPath, type VersionedItem } from "./load-benchmark.js";
export {
  MEDSAFETYBENCH_CATEGORIES,
  MEDSAFETYBENCH_REPOSITORY,
  MEDSAFETYBENCH_SOURCES,
  MEDSAFETYBENCH_SPLITS,
  type MedSafetyBenchOptions,
  type MedSafetyBenchSummary,
  medSafetyBenchFiles,
  readFineTuningSplitItems,
  readMedSafetyBench,
} from "./medsafetybench.js";
export { openBenchmarks } from "./open-benchmarks.js";
