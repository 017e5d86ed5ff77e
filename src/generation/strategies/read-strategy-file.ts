import { existsSync, readFileSync } from "node:fs";
import { extname, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { InputError, lineOfPath } from "../../core/index.js";
import { type Strategy, type StrategyRef, strategyHash, strategyLibrarySchema, strategyRef } from "./strategy.js";

/** A validated strategy with its identity (`id@version`), content hash and the place it was read from. */
export interface LoadedStrategy {
  readonly strategy: Strategy;
  readonly ref: StrategyRef;
  readonly hash: string;
  readonly source: StrategySource;
}

export interface StrategySource {
  readonly file: string;
  /** Line of the strategy's entry in the file (1-based). */
  readonly line?: number;
  /** Position of the strategy in the file's `strategies` list. */
  readonly index: number;
}

export interface ReadStrategyFileOptions {
  /** True only for the package's own library: its strategies must say `origin: builtin`. */
  readonly builtin?: boolean;
}

const EXTENSIONS = [".yaml", ".yml", ".json"];
const SHAPE_HINT =
  "A library file is `version: 1` and `strategies:` with id, version, origin, name {ja, en}, definition {ja, en}, turns [{ja, en}, ...], example {ja: [...], en: [...]}; see README.md#strategies";

/**
 * Reads and validates one strategy library file (YAML or JSON, both parsed with line positions). Throws an
 * InputError (`dataset_invalid`) naming the file, the line, the field path and the fix on the first problem.
 */
export function readStrategyFile(path: string, options: ReadStrategyFileOptions = {}): LoadedStrategy[] {
  const file = resolve(path);
  checkFile(file);
  const lineCounter = new LineCounter();
  const document = parseDocument(readFileSync(file, "utf8"), { lineCounter, prettyErrors: false });
  const syntaxError = document.errors[0];
  if (syntaxError !== undefined) {
    const line = syntaxError.linePos?.[0].line ?? lineCounter.linePos(syntaxError.pos[0]).line;
    throw new InputError(
      "dataset_invalid",
      { file, line },
      `syntax error: ${syntaxError.message.split("\n")[0] ?? ""}`,
      "Fix the YAML/JSON syntax (indentation, quoting, a missing colon or comma)",
    );
  }
  const lineOf = (keyPath: readonly (string | number)[]): number | undefined =>
    lineOfPath(document, lineCounter, keyPath, { fallbackToStart: true });
  const raw: unknown = document.toJS() ?? {};
  const parsed = strategyLibrarySchema.safeParse(raw);
  if (!parsed.success) throw issueError(file, parsed.error.issues, lineOf, raw);
  const strategies = parsed.data.strategies.map((strategy, index) =>
    loaded(strategy, { file, index, ...lineAt(lineOf, ["strategies", index]) }),
  );
  checkOrigins(strategies, options.builtin === true, lineOf);
  checkDuplicates(strategies, lineOf);
  return strategies;
}

function checkFile(file: string): void {
  if (!existsSync(file)) {
    throw new InputError(
      "dataset_invalid",
      { file },
      "strategy library file not found",
      "Check the path (relative paths are resolved against the current folder)",
    );
  }
  if (!EXTENSIONS.includes(extname(file).toLowerCase())) {
    throw new InputError(
      "dataset_invalid",
      { file },
      `unsupported strategy file type "${extname(file)}"`,
      `Use a ${EXTENSIONS.join(", ")} file`,
    );
  }
}

function loaded(strategy: Strategy, source: StrategySource): LoadedStrategy {
  return { strategy, ref: strategyRef(strategy), hash: strategyHash(strategy), source };
}

function lineAt(
  lineOf: (keyPath: readonly (string | number)[]) => number | undefined,
  keyPath: readonly (string | number)[],
): { line?: number } {
  const line = lineOf(keyPath);
  return line === undefined ? {} : { line };
}

function issueError(
  file: string,
  issues: readonly z.core.$ZodIssue[],
  lineOf: (keyPath: readonly (string | number)[]) => number | undefined,
  raw: unknown,
): InputError {
  const issue = issues[0];
  if (issue === undefined) return new InputError("dataset_invalid", { file }, "invalid strategy library", SHAPE_HINT);
  const path = issue.path.map((part) => (typeof part === "number" ? part : String(part)));
  if (issue.code === "unrecognized_keys") {
    const keyPath = [...path, issue.keys[0] ?? ""];
    return new InputError(
      "dataset_invalid",
      { file, ...lineAt(lineOf, keyPath), field: keyPath.join(".") },
      `unknown field(s) ${issue.keys.map((key) => `"${key}"`).join(", ")}`,
      `Remove it or check its spelling. ${SHAPE_HINT}`,
    );
  }
  const missing = path.length > 0 && valueAt(raw, path) === undefined;
  return new InputError(
    "dataset_invalid",
    { file, ...lineAt(lineOf, path), field: path.join(".") },
    missing ? `missing required field "${String(path[path.length - 1] ?? "")}"` : issue.message,
    missing ? `Add "${path.join(".")}". ${SHAPE_HINT}` : `Fix this value. ${SHAPE_HINT}`,
  );
}

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

function checkOrigins(
  strategies: readonly LoadedStrategy[],
  builtin: boolean,
  lineOf: (keyPath: readonly (string | number)[]) => number | undefined,
): void {
  if (!builtin) return; // a user file may hold copies of built-ins: loadStrategies checks them against the originals
  for (const { strategy, source } of strategies) {
    if (strategy.origin === "builtin") continue;
    const keyPath = ["strategies", source.index, "origin"];
    throw new InputError(
      "dataset_invalid",
      { file: source.file, ...lineAt(lineOf, keyPath), field: keyPath.join(".") },
      `built-in strategy "${strategy.id}" has origin "${strategy.origin}"`,
      "Set origin: builtin",
    );
  }
}

function checkDuplicates(
  strategies: readonly LoadedStrategy[],
  lineOf: (keyPath: readonly (string | number)[]) => number | undefined,
): void {
  const seen = new Map<string, LoadedStrategy>();
  for (const entry of strategies) {
    const first = seen.get(entry.ref);
    if (first === undefined) {
      seen.set(entry.ref, entry);
      continue;
    }
    const keyPath = ["strategies", entry.source.index, "version"];
    throw new InputError(
      "dataset_invalid",
      { file: entry.source.file, ...lineAt(lineOf, keyPath), field: keyPath.join(".") },
      `duplicate strategy ${entry.ref} (also at line ${first.source.line ?? "?"})`,
      `Give it a higher version (e.g. ${entry.strategy.version + 1}) or a new id, or remove one of the two`,
    );
  }
}
