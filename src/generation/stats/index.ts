/** Benchmark statistics: counts by dimension, exact and near duplicates. */
export * from "./benchmark-stats.js";
