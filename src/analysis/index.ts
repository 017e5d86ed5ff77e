/**
 * @module analysis
 * Pure statistics over result values: no I/O. Reports feed it rows read from the store.
 */

export * from "./agreement.js";
export * from "./agreement-accumulator.js";
export * from "./agreement-stats.js";
export * from "./bootstrap.js";
export * from "./descriptive.js";
export * from "./effect-size.js";
export * from "./estimate.js";
export * from "./friedman-kruskal.js";
export * from "./histogram.js";
export * from "./mann-whitney.js";
export * from "./ranks.js";
export * from "./survival.js";
export * from "./wilcoxon.js";
