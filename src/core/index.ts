/**
 * @module core
 * The shared kernel: messages, usage, ids and keys, hashing, the one error vocabulary, the line of a key in a user
 * file (YAML/JSON), JSON objects in a model's answer, the ja/en label lookup (`bilingual`; the tables are in
 * report/messages) and turn numbering (0-based inside, from 1 outside). Imports nothing from the rest of the project.
 *
 * - errors.ts: `MedsafetyError` (stable `code`, a message that says how to fix the problem, `cause`, `isRetryable`),
 *   `InputError` (file, line, field), `ProviderError` (HTTP status, retry-after), `ReviewError`; `isCancellation`,
 *   `errorFieldsOf` (what a stored error row keeps), `withSecondError` (a failure while handling a failure is added to
 *   the first, never put in its place).
 * - ids.ts: run ids and deterministic keys: turn key = hash of run, item id + version, target, turn, epoch; judgment
 *   key = hash of turn key + judge id.
 * - json-file.ts: `readJsonFile(path, schema, { what, example })`, `parseJsonText`, `parseJsonLine`: the one place
 *   outside files meet `JSON.parse`, every failure an `InputError` naming file, line and field. json-objects.ts: JSON
 *   objects in a model's answer, never trusted to parse.
 * - worker-jobs.ts: the one worker-thread job harness (`WorkerJobs` in the main thread, `serveWorkerJobs` in the
 *   thread): request ids, cancellation, errors carried across with their class, code, status and retry-after.
 *   worker-url.ts: a worker's entry beside its module, `.js` from dist/ or the `.ts` source under Vitest.
 * - turn-number.ts: turns are 0-based inside and numbered from 1 in every input and output; `turnNumber` /
 *   `turnIndexOf` convert, one per direction.
 * - package-info.ts: the package root and version, read without any schema library (`--version` stays fast).
 * - cost-budget.ts: `CostBudget`, a USD limit over units of work in flight (run budgets, generation budgets).
 *
 * Start with errors.ts (the error vocabulary) and ids.ts (deterministic keys).
 */

export { bilingual } from "./bilingual.js";
export { type BudgetCheck, CostBudget, formatUsd } from "./cost-budget.js";
export {
  type ErrorCode,
  errorFieldsOf,
  errorMessage,
  formatLocation,
  InputError,
  isCancellation,
  isRetryableStatus,
  MedsafetyError,
  ProviderError,
  parseRetryAfter,
  ReviewError,
  type SourceLocation,
  withSecondError,
} from "./errors.js";
export { hashValue, sha256 } from "./hash.js";
export { conversationKey, judgmentKey, newRunId, turnKey } from "./ids.js";
export { describeIssue, parseJsonLine, parseJsonText, readJsonFile } from "./json-file.js";
export { jsonObjects, tryParseJson, wholeJsonObject } from "./json-objects.js";
export { addUsage, type ChatMessage, LANGUAGES, type Language, type Usage, ZERO_USAGE } from "./messages.js";
export { packageRoot, packageVersion } from "./package-info.js";
export { isPostgresUrl, redactUrl } from "./store-location.js";
export { turnIndexOf, turnNumber, turnPairLabel } from "./turn-number.js";
export { serveWorkerJobs, WorkerJobs } from "./worker-jobs.js";
export { typescriptWorkerUrl, workerEntryUrl } from "./worker-url.js";
export { lineOfPath } from "./yaml-location.js";
