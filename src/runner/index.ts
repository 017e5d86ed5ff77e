/**
 * @module runner
 * Plans and runs conversations (item × target) with bounded concurrency, replays or adapts user turns through
 * attack step functions, has judges score every turn, resumes by deterministic keys, and emits events that
 * listeners (progress bar, logs) render. Imports no terminal library.
 */

export * from "./adaptive-attack.js";
export * from "./adaptive-mode.js";
export * from "./attack.js";
export * from "./attacker-prompt.js";
export * from "./events.js";
export * from "./execute-run.js";
export * from "./run-benchmark.js";
export * from "./run-context.js";
export * from "./run-conversation.js";
export * from "./run-health.js";
export * from "./stop-conditions.js";
