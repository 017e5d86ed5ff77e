/**
 * @module generation/seeds
 * Seed requests (`medsafety generate seeds`, `filter`): the seeds file format (seed.ts), seed generation per
 * guideline with near-duplicate removal (generate-seeds.ts), and the refusal filter, whose classifier the CLI injects
 * (filter-seeds.ts).
 */

export { type FilterSummary, filterSeeds, type RefusalClassifier, type SeedAudit } from "./filter-seeds.js";
export { generateSeeds, SEED_PROMPT, SEED_PROMPT_TEXTS, type SeedSummary } from "./generate-seeds.js";
export { checkSeedsFile, readSeeds, type Seed, seedSchema } from "./seed.js";
