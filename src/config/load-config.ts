import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { type Document, LineCounter, parseDocument, visit } from "yaml";
import type { z } from "zod";
import { InputError, isPostgresUrl, lineOfPath } from "../core/index.js";
import { resolveDiscoveryRolePaths } from "./discovery-roles.js";
import { resolvePipelineRolePaths } from "./pipeline-roles.js";
import { type Config, configSchema } from "./schema.js";

export interface LoadedConfig {
  readonly config: Config;
  readonly path: string;
  /** Line (1-based) of a key path in the file, for error messages about bindings. */
  readonly lineOf: (path: readonly (string | number)[]) => number | undefined;
}

/**
 * Reads and validates a YAML config. Errors name the file, the line and the key path, and say how to fix it.
 * Relative paths (benchmark, store, rubric files, local: models) are resolved against the config's folder.
 */
export function loadConfig(path: string): LoadedConfig {
  const absolute = resolve(path);
  if (!existsSync(absolute)) {
    throw new InputError(
      "config_invalid",
      { file: absolute },
      "config file not found",
      "Create one with `medsafety init` or pass its path with -c",
    );
  }
  if (statSync(absolute).isDirectory()) {
    throw new InputError(
      "config_invalid",
      { file: absolute },
      "this is a folder, not a config file",
      "Pass the config file itself with -c (e.g. -c medsafety.config.yaml), or create one with `medsafety init`",
    );
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(readUtf8(absolute), { lineCounter, prettyErrors: false });
  const yamlError = document.errors[0];
  if (yamlError !== undefined) {
    const line = yamlError.linePos?.[0].line ?? lineCounter.linePos(yamlError.pos[0]).line;
    throw new InputError(
      "config_invalid",
      { file: absolute, ...(line === undefined ? {} : { line }) },
      `YAML syntax error: ${firstLine(yamlError.message)}`,
      "Fix the YAML syntax (indentation, quoting, a missing colon)",
    );
  }
  const lineOf = (keyPath: readonly (string | number)[]): number | undefined => locate(document, lineCounter, keyPath);
  const parsed = configSchema.safeParse(toData(document, lineCounter, absolute) ?? {});
  if (!parsed.success) throw configIssue(absolute, parsed.error.issues, lineOf);
  return { config: resolvePaths(parsed.data, dirname(absolute)), path: absolute, lineOf };
}

/** The file's text; bytes that are not UTF-8 are refused with their line rather than read as U+FFFD. */
function readUtf8(file: string): string {
  const bytes = readFileSync(file);
  const decoder = new TextDecoder("utf-8", { fatal: true });
  try {
    return decoder.decode(bytes);
  } catch {
    let line = 1;
    for (let start = 0; start <= bytes.length; line += 1) {
      const newline = bytes.indexOf(0x0a, start);
      const end = newline === -1 ? bytes.length : newline;
      try {
        decoder.decode(bytes.subarray(start, end));
      } catch {
        break;
      }
      start = end + 1;
    }
    throw new InputError(
      "config_invalid",
      { file, line },
      "this line is not valid UTF-8 text (the file may have been saved in another encoding)",
      "Save the config as UTF-8",
    );
  }
}

/**
 * The document as plain data. yaml refuses aliases that expand past `maxAliasCount` (an "alias bomb" of nested
 * `*refs` that would take minutes and gigabytes): named here, with the line of the first alias.
 */
function toData(document: Document, lineCounter: LineCounter, file: string): unknown {
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    let aliasOffset: number | undefined;
    visit(document, {
      Alias(_key, node) {
        aliasOffset = node.range?.[0];
        return visit.BREAK;
      },
    });
    const line = aliasOffset === undefined ? undefined : lineCounter.linePos(aliasOffset).line;
    const problem =
      aliasOffset === undefined
        ? `the YAML cannot be read as data (${error instanceof Error ? firstLine(error.message) : String(error)})`
        : 'the YAML\'s aliases (*name) expand to too much data (more than 100 alias uses: an "alias bomb")';
    throw new InputError(
      "config_invalid",
      { file, ...(line === undefined ? {} : { line }) },
      problem,
      "Write the values out instead of nesting aliases; a medsafety config needs no anchors or aliases",
    );
  }
}

function configIssue(file: string, issues: readonly z.core.$ZodIssue[], lineOf: LoadedConfig["lineOf"]): InputError {
  const issue = issues[0];
  if (issue === undefined)
    return new InputError("config_invalid", { file }, "invalid config", "See `medsafety schema`");
  const path = issue.path.map((part) => (typeof part === "number" ? part : String(part)));
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    const keyPath = [...path, key];
    const line = lineOf(keyPath);
    return new InputError(
      "config_invalid",
      { file, ...(line === undefined ? {} : { line }), field: keyPath.join(".") },
      `unknown key "${key}"`,
      "Remove it or check its spelling; `medsafety schema` lists every allowed key",
    );
  }
  const line = lineOf(path) ?? lineOf(path.slice(0, -1));
  return new InputError(
    "config_invalid",
    { file, ...(line === undefined ? {} : { line }), field: path.join(".") },
    issue.message,
    "Fix this value; `medsafety schema` describes every key",
  );
}

/** Line of the key (or list entry) at `keyPath`; the nearest existing parent when the key is missing. */
function locate(
  document: Document,
  lineCounter: LineCounter,
  keyPath: readonly (string | number)[],
): number | undefined {
  return lineOfPath(document, lineCounter, keyPath);
}

function resolvePaths(config: Config, baseDir: string): Config {
  const local = (model: string): string =>
    model.startsWith("local:") ? `local:${absolutePath(model.slice("local:".length), baseDir)}` : model;
  return {
    ...config,
    benchmark:
      typeof config.benchmark === "string"
        ? benchmarkPath(config.benchmark, baseDir)
        : config.benchmark.map((source) => benchmarkPath(source, baseDir)),
    store: isPostgresUrl(config.store) ? config.store : absolutePath(config.store, baseDir),
    ...(config.medsafetybenchDir === undefined
      ? {}
      : { medsafetybenchDir: absolutePath(config.medsafetybenchDir, baseDir) }),
    targets: config.targets.map((target) => ({ ...target, model: local(target.model) })),
    ...(config.safeResponder === undefined
      ? {}
      : { safeResponder: { ...config.safeResponder, model: local(config.safeResponder.model) } }),
    ...(config.attacker === undefined ? {} : { attacker: { ...config.attacker, model: local(config.attacker.model) } }),
    judges: config.judges.map((judge) => ({
      ...judge,
      model: local(judge.model),
      ...(judge.rubric === undefined
        ? {}
        : {
            rubric:
              judge.rubric.includes("/") || judge.rubric.endsWith(".json")
                ? absolutePath(judge.rubric, baseDir)
                : judge.rubric,
          }),
      ...(judge.template === undefined ? {} : { template: absolutePath(judge.template, baseDir) }),
    })),
    ...resolveDiscoveryRolePaths(config, local),
    ...resolvePipelineRolePaths(config, local, (rubric) =>
      rubric.includes("/") || rubric.endsWith(".json") ? absolutePath(rubric, baseDir) : rubric,
    ),
  };
}

/** Built-in and other `scheme:` sources stay as they are; file paths become absolute. */
function benchmarkPath(source: string, baseDir: string): string {
  return /^[a-z][a-z0-9-]*:/.test(source) ? source : absolutePath(source, baseDir);
}

function absolutePath(path: string, baseDir: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}
