/**
 * @module generation/discovery
 * Strategy discovery (AutoDAN-Turbo style, decision 0010; `medsafety discover`): pure loop steps (steps.ts), the
 * strategy library as an immutable value with retrieval by embedding (library.ts), the driver whose model calls are
 * keyed generation tasks (run-discovery.ts) and the export of a strategy library file (export-library.ts). Start with
 * run-discovery.ts.
 */

export {
  type DiscoveredStrategyReport,
  libraryYaml,
  strategyReports,
  toLibraryStrategy,
  topStrategies,
} from "./export-library.js";
export { type DiscoveredStrategy, type LibraryKey, retrieve, type StrategyLibrary } from "./library.js";
export {
  DISCOVERY_ATTACKER_PROMPT,
  DISCOVERY_ATTACKER_TEXTS,
  DISCOVERY_SUMMARIZER_PROMPT,
  DISCOVERY_SUMMARIZER_TEXTS,
  type DiscoveryRoles,
  type DiscoveryRunSummary,
  type DiscoveryScorer,
  runDiscovery,
} from "./run-discovery.js";
export type { DiscoverySettings } from "./steps.js";
