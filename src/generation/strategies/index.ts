/** Jailbreak strategies: schema, the built-in library, user and discovered libraries, selection by `id@version`. */
export * from "./strategy.js";
export * from "./read-strategy-file.js";
export * from "./load-strategies.js";
