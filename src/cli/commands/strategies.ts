import { relative } from "node:path";
import Table from "cli-table3";
import { type Command, Option } from "commander";
import type { Language } from "../../core/index.js";
import {
  BUILTIN_STRATEGY_SOURCE,
  findStrategy,
  type LoadedStrategy,
  loadStrategies,
  turnRole,
} from "../../generation/index.js";
import { PLAIN } from "../../report/index.js";
import type { Output } from "../output.js";
import { discoveredStrategyText, registerExport, type StoreFlags, withStoreOptions } from "./strategies-discovered.js";

/** Options every `strategies` subcommand shares: which library files to merge with the built-ins, and the language. */
interface LibraryOptions {
  file: string[];
  lang: Language;
}

interface ListOptions extends LibraryOptions {
  format: "table" | "json";
}

interface ShowOptions extends LibraryOptions, StoreFlags {
  format: "text" | "json";
}

/**
 * Registers the `medsafety strategies` command group (list, show). Further subcommands (e.g. `export`) attach to
 * the same group with `withLibraryOptions` and `loadLibrary`.
 */
export function registerStrategies(program: Command, output: Output): void {
  const strategies = program
    .command("strategies")
    .description(
      "list, inspect and export the jailbreak strategy library: the 7 built-in families, --file libraries, discovered strategies",
    );
  registerList(strategies, output);
  registerShow(strategies, output);
  registerExport(strategies, output);
}

function registerList(strategies: Command, output: Output): void {
  withLibraryOptions(
    strategies.command("list").description("list the strategies (id@version, origin, name, turns, hash)"),
  )
    .addOption(
      new Option("--format <format>", "table, or JSON with both languages").choices(["table", "json"]).default("table"),
    )
    .action((options: ListOptions) => {
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
    });
}

function registerShow(strategies: Command, output: Output): void {
  withStoreOptions(
    withLibraryOptions(
      strategies
        .command("show <strategy>")
        .description(
          "show one strategy by id (its highest version) or id@version; a discovered one also with its success per target model, first discovery and lineage from the store",
        ),
    ),
  )
    .addOption(
      new Option("--format <format>", "text, or JSON with both languages").choices(["text", "json"]).default("text"),
    )
    .action((reference: string, options: ShowOptions) => {
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
    });
}

/** Adds `--file <path>` (repeatable) and `--lang ja|en` to a strategies subcommand. */
export function withLibraryOptions(command: Command): Command {
  return command
    .option(
      "--file <path>",
      "also load a strategy library file (.yaml, .yml or .json); repeat for several",
      collect,
      [],
    )
    .addOption(
      new Option("--lang <lang>", "language of the text (JSON always carries both)")
        .choices(["ja", "en"])
        .default("en"),
    );
}

/** The built-in library merged with the given files (relative to the current folder), in that order. */
export function loadLibrary(files: readonly string[]): LoadedStrategy[] {
  return loadStrategies({ sources: [BUILTIN_STRATEGY_SOURCE, ...files] });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
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
