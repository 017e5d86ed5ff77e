/** Jailbreak strategies: schema, the built-in library, user and discovered libraries, selection by `id@version`. */

export * from "./load-strategies.js";
export * from "./read-strategy-file.js";
export * from "./strategy.js";
