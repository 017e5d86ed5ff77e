/** Strategy discovery (AutoDAN-Turbo style): pure loop steps, the strategy library value, the driver, export of a library file. */

export * from "./export-library.js";
export * from "./library.js";
export * from "./run-discovery.js";
export * from "./steps.js";
