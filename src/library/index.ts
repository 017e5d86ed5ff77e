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
