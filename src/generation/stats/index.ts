/**
 * @module generation/stats
 * `medsafety benchmark stats`: a benchmark file's counts by dimension and its exact and near duplicates, in
 * benchmark-stats.ts.
 */
export { type BenchmarkStats, benchmarkStats } from "./benchmark-stats.js";
