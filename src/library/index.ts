/**
 * @module library
 * The package's library API in a few calls, for programs that import `medsafety` instead of running the CLI:
 * `evaluate` runs a benchmark from a config (file or object) as `medsafety run` does and says how it ended;
 * `openResultStore` opens a store for its runs and their reports (the report model, or text in the CLI's formats).
 * call-budgets.ts: the bindings' requests and tokens per minute as budgets where the store is (shared through
 * PostgreSQL by every worker, or this process's own), which `bindRun` injects into the models.
 * worker.ts: `runWorker`, the loop of `medsafety worker` (and of `run` on a PostgreSQL store): it serves the started
 * runs of the store's work queue (worker-runs.ts binds each from its frozen config), one conversation per job;
 * run-queue.ts: a run's jobs, inserted in the transaction that records it and queued again on resume.
 * estimate/: `--estimate` (decision 0020): `RunPlanner` / `estimateRun` run the runner's conversations, and
 * `GenerationPlanner` a generation command, with planning models that call nothing and count each request's tokens
 * (`o200k_base`, lazily loaded); `summarizePlan` prices them and bounds their time by the bindings' limits.
 * run-budget.ts (+ budget-setup.ts, budget-estimate.ts): a run's budget (`maxCost`, `--max-cost`) as a conversation
 * admission over the stored and live cost; a budget needs every binding priced (decision 0021).
 * export-results.ts (+ -rows, -writers): `medsafety export results`, a run's raw rows (item × target × epoch × turn,
 *   every verdict) streamed from the store to JSONL, CSV or Parquet with a manifest (decision 0031).
 * check.ts (+ check-junit.ts, check-sarif.ts): `medsafety check`, the CI gate: per-target thresholds on the report's
 *   Safety Pass Rate, the mean drop from a baseline run and the error rate, as JUnit and SARIF (decision 0025).
 * precision-setup.ts: precision-driven sampling (`precision`, `--precision`) as the run's draw order and an admission
 *   that stops each target once its Safety Pass Rate is known to the asked half-width (decision 0022).
 * The package entry (src/index.ts) re-exports these beside the domain pieces they are built from; start with
 * evaluate.ts.
 */
export { type BudgetBinding, requirePricedBindings } from "./budget-setup.js";
export {
  type CheckResult,
  type CheckThresholds,
  checkRun,
  type Threshold,
} from "./check.js";
export { checkJunitXml } from "./check-junit.js";
export { checkSarifLog } from "./check-sarif.js";
export { GenerationPlanner } from "./estimate/estimate-generation.js";
export { estimateRun } from "./estimate/estimate-run.js";
export type { Estimate } from "./estimate/estimate-summary.js";
export { NO_OBSERVATIONS, type ObservedMeans, observedMeans } from "./estimate/observed.js";
export { DEFAULT_STORE_PATH, type EvaluateOptions, type EvaluateResult, evaluate } from "./evaluate.js";
export {
  exportResults,
  type ResultsExportManifest,
  resultsManifestPath,
} from "./export-results.js";
export { RESULT_EXPORT_FORMATS, type ResultExportFormat } from "./export-results-writers.js";
export type { PrecisionTargetStatus } from "./precision-setup.js";
export {
  openResultStore,
  type ReportFormat,
  type ReportOptions,
  type ResultStore,
  type StoredRun,
} from "./result-store.js";
export { BUDGET_STOP_REASON } from "./run-budget.js";
export { jobsWithRun, openRunQueue, requeueRun } from "./run-queue.js";
export {
  type BoundRun,
  bindRun,
  checkRunEnd,
  closeAll,
  executeBoundRun,
  recordRun,
  requireRunRoles,
} from "./run-steps.js";
export { requirePostgresStore, runWorker } from "./worker.js";
