/**
 * @module store
 * SQLite persistence (better-sqlite3, WAL, numbered migrations): runs, their items, turn and judgment results
 * keyed by deterministic keys, human reviews of turns (added, never overwriting a verdict), and the response cache. Everything a report needs is read back from here.
 */

export * from "./call-outcomes.js";
export * from "./database.js";
export * from "./discovery-repository.js";
export * from "./generation-repository.js";
export * from "./item-repository.js";
export * from "./migrations.js";
export * from "./response-cache-repository.js";
export * from "./result-repository.js";
export * from "./result-rows.js";
export * from "./review-repository.js";
export * from "./run-lease-repository.js";
export * from "./run-repository.js";
export * from "./store-check.js";
export * from "./store-errors.js";
