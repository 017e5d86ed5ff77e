/**
 * @module core
 * The shared kernel: messages, usage, ids and keys, hashing, the one error vocabulary, the line of a key in a user
 * file (YAML/JSON), JSON objects in a model's answer, ja/en label tables and turn numbering (0-based inside, from 1 outside). Imports nothing from the rest of the project.
 */

export * from "./bilingual.js";
export * from "./errors.js";
export * from "./hash.js";
export * from "./ids.js";
export * from "./json-objects.js";
export * from "./messages.js";
export * from "./package-info.js";
export * from "./turn-number.js";
export * from "./yaml-location.js";
