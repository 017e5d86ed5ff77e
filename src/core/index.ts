/**
 * @module core
 * The shared kernel: messages, usage, ids and keys, hashing and the one error vocabulary. Imports nothing
 * from the rest of the project.
 */
export * from "./messages.js";
export * from "./errors.js";
export * from "./hash.js";
export * from "./ids.js";
export * from "./package-info.js";
