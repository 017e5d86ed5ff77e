/**
 * @module library
 * The package's library API in a few calls, for programs that import `medsafety` instead of running the CLI:
 * `evaluate` runs a benchmark from a config (file or object) as `medsafety run` does and says how it ended;
 * `openResultStore` opens a store for its runs and their reports (the report model, or text in the CLI's formats).
 * The package entry (src/index.ts) re-exports these beside the domain pieces they are built from; start with
 * evaluate.ts.
 */
export { DEFAULT_STORE_PATH, type EvaluateOptions, type EvaluateResult, evaluate } from "./evaluate.js";
export {
  openResultStore,
  type ReportFormat,
  type ReportOptions,
  type ResultStore,
  type StoredRun,
} from "./result-store.js";
export {
  type BoundRun,
  bindRun,
  checkRunEnd,
  closeAll,
  executeBoundRun,
  recordRun,
  requireRunRoles,
} from "./run-steps.js";
