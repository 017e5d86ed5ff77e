/** Seed requests: the seeds file format, seed generation per guideline with near-duplicate removal, the refusal filter. */

export * from "./filter-seeds.js";
export * from "./generate-seeds.js";
export * from "./seed.js";
