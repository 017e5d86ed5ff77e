import { relative } from "node:path";
import Table from "cli-table3";
import type { Language } from "../../core/index.js";
import {
  BUILTIN_STRATEGY_SOURCE,
  findStrategy,
  type LoadedStrategy,
  loadStrategies,
  turnRole,
} from "../../generation/index.js";
import { PLAIN } from "../table-style.js";
import type { StoreFlags } from "./strategies-discovered.js";

/** Options every `strategies` subcommand shares: which library files to merge with the built-ins, and the language. */
export interface LibraryOptions {
  file: string[];
  lang: Language;
}

import type { Output } from "../output.js";
import { discoveredStrategyText } from "./strategies-discovered.js";

/** The options of `strategies list` (its action: actions/strategies.ts). */
export interface ListOptions extends LibraryOptions {
  format: "table" | "json";
}

/** The options of `strategies show`. */
export interface ShowOptions extends LibraryOptions, StoreFlags {
  format: "text" | "json";
}

/** `medsafety strategies list`: the merged library as a table or JSON. */
export function strategiesListCommand(options: ListOptions, output: Output): void {
  const library = loadLibrary(options.file);
  if (options.format === "json") {
    output.out(JSON.stringify(library.map(strategyJson), null, 2));
    return;
  }
  const table = new Table({
    style: PLAIN,
    head: ["strategy", "origin", options.lang === "ja" ? "名前" : "name", "turns", "hash", "source"],
  });
  for (const entry of library) {
    table.push([
      entry.ref,
      entry.strategy.origin,
      entry.strategy.name[options.lang],
      entry.strategy.turns.length,
      entry.hash,
      sourceLabel(entry),
    ]);
  }
  output.out(table.toString());
}

/** `medsafety strategies show <strategy>`: one strategy, with its discovery record when the store holds one. */
export function strategiesShowCommand(reference: string, options: ShowOptions, output: Output): void {
  const id = reference.split("@")[0] ?? reference;
  let entry: LoadedStrategy | undefined;
  try {
    entry = findStrategy(loadLibrary(options.file), reference);
  } catch (error) {
    // A discovered strategy may live only in the store (not exported yet).
    const stored = discoveredStrategyText(id, options, options.lang);
    if (stored === undefined) throw error;
    output.out(stored);
    return;
  }
  output.out(
    options.format === "json" ? JSON.stringify(strategyJson(entry), null, 2) : strategyText(entry, options.lang),
  );
  if (entry.strategy.origin !== "discovered" || options.format === "json") return;
  const stored = discoveredStrategyText(id, options, options.lang);
  output.out(stored === undefined ? "\n(no discovery run in the store holds this strategy)" : `\n${stored}`);
}

/** The built-in library merged with the given files (relative to the current folder), in that order. */
export function loadLibrary(files: readonly string[]): LoadedStrategy[] {
  return loadStrategies({ sources: [BUILTIN_STRATEGY_SOURCE, ...files] });
}

function sourceLabel(entry: LoadedStrategy): string {
  if (entry.strategy.origin === "builtin") return "builtin";
  const file = relative(process.cwd(), entry.source.file) || entry.source.file;
  return entry.source.line === undefined ? file : `${file}:${entry.source.line}`;
}

function strategyJson(entry: LoadedStrategy) {
  return { ref: entry.ref, hash: entry.hash, source: entry.source, ...entry.strategy };
}

const LABELS = {
  en: {
    origin: "origin",
    version: "version",
    hash: "hash",
    source: "source",
    definition: "Definition",
    turns: "How the user turns escalate",
    example: "Example (user turns only)",
    lineage: "Lineage",
    roles: { opening: "opening", escalation: "escalation", push: "push" },
  },
  ja: {
    origin: "由来",
    version: "バージョン",
    hash: "ハッシュ",
    source: "定義元",
    definition: "定義",
    turns: "ユーザー発話の展開",
    example: "例（ユーザー発話のみ）",
    lineage: "来歴",
    roles: { opening: "導入", escalation: "踏み込み", push: "念押し" },
  },
} as const;

/** The strategy as readable text in one language. */
function strategyText(entry: LoadedStrategy, language: Language): string {
  const { strategy } = entry;
  const labels = LABELS[language];
  const turnCount = strategy.turns.length;
  const lines = [
    `${entry.ref}  ${strategy.name[language]}`,
    "",
    `${labels.origin}: ${strategy.origin}`,
    `${labels.version}: ${strategy.version}`,
    `${labels.hash}: ${entry.hash}`,
    `${labels.source}: ${entry.source.file}${entry.source.line === undefined ? "" : `:${entry.source.line}`}`,
    "",
    labels.definition,
    `  ${strategy.definition[language]}`,
    "",
    labels.turns,
    ...strategy.turns.map((turn, index) => `  ${index} ${labels.roles[turnRole(index, turnCount)]}: ${turn[language]}`),
    "",
    labels.example,
    ...strategy.example[language].map((line, index) => `  ${index}: ${line}`),
  ];
  if (strategy.lineage !== undefined) lines.push("", labels.lineage, `  ${JSON.stringify(strategy.lineage)}`);
  return lines.join("\n");
}
