/**
 * @module report
 * The report model built from the store and analysis, and its formats (JSON, terminal tables).
 */

export * from "./build-agreement.js";
export * from "./build-comparisons.js";
export * from "./build-groups.js";
export * from "./build-multi-turn.js";
export * from "./build-report.js";
export * from "./build-review-agreement.js";
export * from "./build-scale-summary.js";
export * from "./build-tradeoff.js";
export * from "./compare-runs.js";
export * from "./export-sft.js";
export * from "./format-csv.js";
export * from "./format-json.js";
export * from "./format-markdown.js";
export * from "./format-table.js";
export * from "./html/examples.js";
export * from "./html/render-html.js";
export * from "./multi-turn-model.js";
export * from "./report-model.js";
export * from "./run-demonstrations.js";
export * from "./safe-responder.js";
export * from "./sft-formats.js";
export * from "./tradeoff-chart.js";
export * from "./turn-table.js";
export * from "./turn-tests.js";
