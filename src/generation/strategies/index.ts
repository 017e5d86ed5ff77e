/**
 * @module generation/strategies
 * Jailbreak strategies: the strict schema (`id@version` + content hash, origin, lineage; strategy.ts), the 7 built-in
 * families (builtin.json), user and discovered library files with file/line/field errors (read-strategy-file.ts),
 * merging and selection by `id@version` (load-strategies.ts). Start with strategy.ts.
 */

export { BUILTIN_STRATEGY_SOURCE, findStrategy, loadBuiltinStrategies, loadStrategies } from "./load-strategies.js";
export type { LoadedStrategy } from "./read-strategy-file.js";
export {
  type BilingualText,
  DEFAULT_STRATEGY_TURNS,
  STRATEGY_LIBRARY_VERSION,
  type Strategy,
  strategyRef,
  strategySchema,
  turnRole,
} from "./strategy.js";
