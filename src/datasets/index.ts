/**
 * @module datasets
 * Benchmark items: the JSONL format (docs/benchmark-format.md), streaming load with validation errors that
 * name file, line and field, item versions and dataset hashes, and the built-in sample benchmark.
 */
export * from "./benchmark-item.js";
export * from "./load-benchmark.js";
export * from "./medsafetybench.js";
export * from "./open-benchmarks.js";
