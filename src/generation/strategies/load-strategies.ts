import { join, resolve } from "node:path";
import { InputError, MedsafetyError, packageRoot } from "../../core/index.js";
import { type LoadedStrategy, readStrategyFile } from "./read-strategy-file.js";

/** The source name of the strategies shipped with the package. */
export const BUILTIN_STRATEGY_SOURCE = "builtin";

/** What to load: library sources merged in order, then a selection. */
export interface StrategySpec {
  /** `"builtin"` or paths of `.yaml`/`.yml`/`.json` library files; default `["builtin"]`. */
  readonly sources?: readonly string[];
  /** `"all"` (default), or a comma list of `id` (its highest version) and `id@version`. */
  readonly select?: string;
  /** Folder relative paths are resolved against (default: the current folder). */
  readonly baseDir?: string;
}

/** Path of the built-in library, shipped in `src/` so it is found from the sources and from `dist/` alike. */
export function builtinStrategiesPath(): string {
  return join(packageRoot(), "src", "generation", "strategies", "builtin.json");
}

/** The 7 built-in strategy families (protocols.md §4), validated like any user file. */
export function loadBuiltinStrategies(): LoadedStrategy[] {
  return readStrategyFile(builtinStrategiesPath(), { builtin: true });
}

/**
 * Loads a strategy library: the built-ins, user files, or both merged (`{ sources: ["builtin", "my.yaml"] }`), then
 * selects from it. A string is one source. Bad files and selections throw `dataset_invalid` errors naming the file,
 * line, field and fix.
 */
export function loadStrategies(spec: StrategySpec | string = {}): LoadedStrategy[] {
  const {
    sources = [BUILTIN_STRATEGY_SOURCE],
    select = "all",
    baseDir = ".",
  } = typeof spec === "string" ? { sources: [spec] } : spec;
  if (sources.length === 0)
    throw new MedsafetyError(
      "dataset_invalid",
      `no strategy sources given. Use "${BUILTIN_STRATEGY_SOURCE}" and/or paths of strategy library files`,
    );
  const builtins = loadBuiltinStrategies();
  const libraries = sources.map((source) => {
    if (source === BUILTIN_STRATEGY_SOURCE) return builtins;
    const library = readStrategyFile(resolve(baseDir, source));
    checkBuiltinCopies(library, builtins);
    return library;
  });
  return selectStrategies(mergeStrategies(libraries), select);
}

/**
 * `origin: builtin` in a user file is allowed only for an unchanged copy of a built-in (e.g. an exported library):
 * a changed text is the user's strategy and must say so.
 */
function checkBuiltinCopies(library: readonly LoadedStrategy[], builtins: readonly LoadedStrategy[]): void {
  for (const entry of library) {
    if (entry.strategy.origin !== "builtin") continue;
    const original = builtins.find((builtin) => builtin.ref === entry.ref);
    if (original?.hash === entry.hash) continue;
    throw new InputError(
      "dataset_invalid",
      {
        file: entry.source.file,
        ...(entry.source.line === undefined ? {} : { line: entry.source.line }),
        field: `strategies.${entry.source.index}.origin`,
      },
      original === undefined
        ? `${entry.ref} says origin "builtin" but is not a built-in strategy`
        : `${entry.ref} says origin "builtin" but its text differs from the built-in`,
      `Set origin: user${original === undefined ? "" : ` and give it a higher version (e.g. ${entry.strategy.version + 1}) or a new id`}`,
    );
  }
}

/**
 * Merges libraries in order. The same `id@version` twice with the same content (e.g. an exported copy of the
 * built-ins) is kept once; with different content it is an error, because `id@version` must name one text.
 */
export function mergeStrategies(libraries: readonly (readonly LoadedStrategy[])[]): LoadedStrategy[] {
  const merged = new Map<string, LoadedStrategy>();
  for (const entry of libraries.flat()) {
    const first = merged.get(entry.ref);
    if (first === undefined) {
      merged.set(entry.ref, entry);
      continue;
    }
    if (first.hash === entry.hash) continue;
    throw new InputError(
      "dataset_invalid",
      {
        file: entry.source.file,
        ...(entry.source.line === undefined ? {} : { line: entry.source.line }),
        field: `strategies.${entry.source.index}.version`,
      },
      `duplicate strategy ${entry.ref} with other content than at ${first.source.file}:${first.source.line ?? "?"} (hash ${entry.hash} vs ${first.hash})`,
      `Give it a higher version (e.g. ${entry.strategy.version + 1}) or a new id`,
    );
  }
  return [...merged.values()];
}

/**
 * Selects strategies: `"all"` keeps the library's order; otherwise the comma list's order, without repeats. A plain
 * id means that id's highest version.
 */
export function selectStrategies(library: readonly LoadedStrategy[], selection: string): LoadedStrategy[] {
  const trimmed = selection.trim();
  if (trimmed === "all") return [...library];
  const entries = trimmed
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (entries.length === 0)
    throw new MedsafetyError(
      "dataset_invalid",
      `empty strategy selection. Use "all" or ids such as ${knownIds(library)}`,
    );
  const chosen = new Map<string, LoadedStrategy>();
  for (const entry of entries) {
    const strategy = findStrategy(library, entry);
    chosen.set(strategy.ref, strategy);
  }
  return [...chosen.values()];
}

/** One strategy by `id` (its highest version) or `id@version`; unknown references list what is known. */
export function findStrategy(library: readonly LoadedStrategy[], reference: string): LoadedStrategy {
  const match = /^([^@\s]+)(?:@(.*))?$/.exec(reference.trim());
  const id = match?.[1] ?? reference;
  const version = match?.[2];
  if (version !== undefined && !/^[1-9]\d*$/.test(version)) {
    throw new MedsafetyError(
      "dataset_invalid",
      `strategy "${reference}": the version after "@" must be a positive integer, e.g. ${id}@1`,
    );
  }
  const versions = library
    .filter((entry) => entry.strategy.id === id)
    .sort((left, right) => right.strategy.version - left.strategy.version);
  if (versions.length === 0) {
    throw new MedsafetyError(
      "dataset_invalid",
      `unknown strategy "${id}". Known strategies: ${knownIds(library)}. Use one of them, or add a library file that defines it (--file)`,
    );
  }
  const found =
    version === undefined ? versions[0] : versions.find((entry) => entry.strategy.version === Number(version));
  if (found === undefined) {
    throw new MedsafetyError(
      "dataset_invalid",
      `unknown version ${reference}. Known versions of "${id}": ${versions.map((entry) => entry.ref).join(", ")}`,
    );
  }
  return found;
}

function knownIds(library: readonly LoadedStrategy[]): string {
  return [...new Set(library.map((entry) => entry.strategy.id))].join(", ") || "(none)";
}
