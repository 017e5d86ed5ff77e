/**
 * @module guidelines
 * Guideline catalogs as data: the ethical rules a benchmark item tries to make a model break. Built-in catalogs
 * (`jma`: 67 guidelines following the structure of the JMA Guidelines on Professional Ethics for Physicians;
 * `ama`: the 9 AMA Principles of Medical Ethics, the categories of MedSafetyBench) are the project's own
 * paraphrases in Japanese and English, stored in `catalogs/*.json`. User catalogs are YAML or JSON files with
 * the same strict schema; the loader reports bad input with file, line, field and fix. Imports only `core`.
 * Start with catalog-schema.ts, then load-catalog.ts.
 */
export {
  findGuideline,
  type Guideline,
  type GuidelineCatalog,
  type LocalizedGuideline,
  localizeGuideline,
} from "./catalog-schema.js";
export { BUILTIN_CATALOGS, builtinCatalogPath, isBuiltinCatalog, loadCatalog, parseCatalog } from "./load-catalog.js";
