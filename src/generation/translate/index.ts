/** Benchmark translation with a back-translation similarity check. */
export * from "./translate-benchmark.js";
