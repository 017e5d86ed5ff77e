/**
 * @module report
 * The report model built from the store and analysis, and its formats (JSON, terminal tables).
 */
export * from "./report-model.js";
export * from "./build-report.js";
export * from "./build-scale-summary.js";
export * from "./format-table.js";
