import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { describeIssue, errorMessage, InputError, lineOfPath, packageRoot, parseJsonText } from "../core/index.js";

/**
 * How the columns of a published dataset become benchmark items (`medsafety import dataset --map` and
 * `--mapping <file.yaml>`). A rule maps one item field (a *target*) to a *source*, written as one expression:
 *
 * - `path.to.field`: a column, or a dotted path into a nested row (`conversation.turns`, `meta.0.lang`);
 * - `"ja"`: a literal (JSON string syntax, in double quotes), the same for every row;
 * - `jmeb-{seed_id}-{@language}`: a template; `{path}` is the row's value there, `{@row}` the row number (from 1),
 *   `{@file}` the file's name without its extension, `{@language}` the item's language code (ja, en; not in language);
 * - `turn_0,turn_1,turn_2` (turns only): columns read in that order, one turn each;
 * - `turn_*` (turns only): every top-level column the pattern matches, in natural order (`turn_2` before `turn_10`).
 */
export const MAPPING_TARGETS = [
  "id",
  "language",
  "pairId",
  "guidelineId",
  "strategy",
  "seedRequest",
  "turns",
  "rubric",
] as const;

/** Item fields a mapping must give (or that have a documented default: id, seedRequest). */
const REQUIRED_TARGETS = ["language", "guidelineId", "strategy", "turns"] as const;

/** Metadata keys the importer writes itself; a rule cannot target them. */
export const RESERVED_METADATA = ["provenance"] as const;

export type SourceExpression =
  | { readonly kind: "field"; readonly path: string }
  | { readonly kind: "literal"; readonly value: string }
  | { readonly kind: "template"; readonly parts: readonly TemplatePart[]; readonly text: string }
  | { readonly kind: "columns"; readonly columns: readonly string[] }
  | { readonly kind: "pattern"; readonly pattern: RegExp; readonly text: string };

export type TemplatePart = string | { readonly path: string } | { readonly special: "row" | "file" | "language" };

/** One rule: an item field (`turns`, `metadata.attackerModel`) from a source expression. */
export interface FieldRule {
  readonly target: string;
  readonly source: SourceExpression;
  /** Values translated before validation, e.g. `{ Japanese: ja }` for `language`. */
  readonly values?: Readonly<Record<string, string>>;
  /** Where the rule was written, for messages: `--map "turns=conv"` or `mapping.yaml:7`. */
  readonly origin: string;
}

export const DATASET_FORMATS = ["json", "jsonl", "csv", "tsv", "parquet"] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/** A complete field mapping: rules by target, and what a mapping file may add. */
export interface FieldMapping {
  readonly rules: ReadonlyMap<string, FieldRule>;
  /** The licence a mapping file states for its dataset (`--license` wins). */
  readonly license?: string;
  readonly format?: DatasetFormat;
  /** The mapping file, when there is one. */
  readonly file?: string;
}

/** The pre-made mappings shipped in src/datasets/mappings/ (`--mapping <name>`). */
export const BUILTIN_MAPPINGS = ["jmedethicbench"] as const;

const MAP_FIX =
  "Write --map as a comma list of target=source, e.g. --map 'id=uid,turns=turn_0,turn_1,turn_2,language=\"ja\",guidelineId=guideline,strategy=strategy'";

function mapError(entry: string, problem: string, fix = MAP_FIX): InputError {
  return new InputError("dataset_invalid", { file: "--map", field: entry }, problem, fix);
}

/** Splits on commas outside double quotes and braces. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  let depth = 0;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] as string;
    if (char === "\\" && quoted) {
      current += char + (text[index + 1] ?? "");
      index += 1;
      continue;
    }
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === "{") depth += 1;
    else if (!quoted && char === "}") depth = Math.max(0, depth - 1);
    if (char === "," && !quoted && depth === 0) {
      parts.push(current);
      current = "";
    } else current += char;
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== "");
}

/**
 * Parses one source expression (see the module note). `list` holds the further comma items of a `turns` rule.
 * Throws a plain Error with the problem; callers add where the rule was written.
 */
export function parseSourceExpression(text: string, list: readonly string[] = []): SourceExpression {
  const source = text.trim();
  if (source === "") throw new Error("the source is empty");
  if (list.length > 0) {
    const columns = [source, ...list].map((column) => column.trim());
    const bad = columns.find((column) => column === "" || /["{}*]/.test(column));
    if (bad !== undefined) throw new Error(`"${bad}" is not a column name (a list of turn columns takes plain names)`);
    return { kind: "columns", columns };
  }
  if (source.startsWith('"')) {
    let value: unknown;
    try {
      value = parseJsonText("literal", source);
    } catch {
      throw new Error(`${source} is not a quoted literal (write it as a JSON string: "text", with \\" for a quote)`);
    }
    if (typeof value !== "string") throw new Error(`${source} is not a quoted literal`);
    return { kind: "literal", value };
  }
  if (source.includes("{") || source.includes("}"))
    return { kind: "template", parts: templateParts(source), text: source };
  if (source.includes("*")) {
    const escaped = source.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*");
    return { kind: "pattern", pattern: new RegExp(`^${escaped}$`), text: source };
  }
  return { kind: "field", path: source };
}

function templateParts(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let rest = text;
  while (rest !== "") {
    const open = rest.indexOf("{");
    const strayClose = rest.indexOf("}");
    if (open === -1) {
      if (strayClose !== -1) throw new Error(`unbalanced "}" in the template ${text}`);
      parts.push(rest);
      break;
    }
    if (strayClose !== -1 && strayClose < open) throw new Error(`unbalanced "}" in the template ${text}`);
    const close = rest.indexOf("}", open);
    if (close === -1) throw new Error(`unbalanced "{" in the template ${text}`);
    if (open > 0) parts.push(rest.slice(0, open));
    const name = rest.slice(open + 1, close).trim();
    if (name === "") throw new Error(`an empty {} in the template ${text}`);
    if (name.startsWith("@")) {
      if (name !== "@row" && name !== "@file" && name !== "@language")
        throw new Error(`unknown template value {${name}} (use {@row}, {@file}, {@language} or {column})`);
      parts.push({ special: name === "@row" ? "row" : name === "@file" ? "file" : "language" });
    } else parts.push({ path: name });
    rest = rest.slice(close + 1);
  }
  return parts;
}

/** Checks a target name: one of MAPPING_TARGETS or `metadata.<key>` (not a reserved key). Returns the problem. */
function targetProblem(target: string): string | undefined {
  if ((MAPPING_TARGETS as readonly string[]).includes(target)) return undefined;
  if (target.startsWith("metadata.")) {
    const key = target.slice("metadata.".length);
    if (key === "" || key.includes(".")) return `"${target}" names no metadata key (use metadata.<key>, one level)`;
    if ((RESERVED_METADATA as readonly string[]).includes(key))
      return `metadata.${key} is written by the importer (source, file, row, revision, licence)`;
    return undefined;
  }
  return `unknown item field "${target}"`;
}

const TARGET_FIX = `Map one of: ${MAPPING_TARGETS.join(", ")}, or metadata.<key> (see docs/benchmark-format.md)`;

function checkRule(rule: FieldRule, fail: (problem: string, fix?: string) => InputError): FieldRule {
  const problem = targetProblem(rule.target);
  if (problem !== undefined) throw fail(problem, TARGET_FIX);
  if ((rule.source.kind === "columns" || rule.source.kind === "pattern") && rule.target !== "turns")
    throw fail(
      `${rule.target} takes one source; a column list or pattern is for turns only`,
      "Give one column, a quoted literal or a {template}",
    );
  return rule;
}

/** Parses `--map` (a comma list of target=source; a comma item without `=` continues a turns column list). */
export function parseMapOption(text: string): FieldRule[] {
  const entries: { target: string; source: string; list: string[]; raw: string }[] = [];
  for (const part of splitTopLevel(text)) {
    const equals = part.indexOf("=");
    const last = entries.at(-1);
    if (equals === -1) {
      if (last === undefined) throw mapError(part, `"${part}" has no "=" (expected target=source)`);
      last.list.push(part);
      last.raw += `,${part}`;
      continue;
    }
    entries.push({
      target: part.slice(0, equals).trim(),
      source: part.slice(equals + 1),
      list: [],
      raw: part,
    });
  }
  const seen = new Set<string>();
  return entries.map((entry) => {
    if (seen.has(entry.target))
      throw mapError(entry.raw, `${entry.target} is mapped twice`, "Map each item field once");
    seen.add(entry.target);
    let source: SourceExpression;
    try {
      source = parseSourceExpression(entry.source, entry.list);
    } catch (error) {
      throw mapError(entry.raw, errorMessage(error));
    }
    const rule: FieldRule = { target: entry.target, source, origin: `--map "${entry.raw}"` };
    return checkRule(rule, (problem, fix) => mapError(entry.raw, problem, fix));
  });
}

const ruleValueSchema = z.union([
  z.string().min(1),
  z.array(z.string().min(1)).min(1),
  z.strictObject({
    from: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    values: z.record(z.string(), z.string().min(1)).optional(),
  }),
]);

const mappingFileSchema = z.strictObject({
  /** What the mapping is for (shown by nothing; for people reading the file). */
  description: z.string().optional(),
  license: z.string().min(1).optional(),
  format: z.enum(DATASET_FORMATS).optional(),
  fields: z.record(z.string(), ruleValueSchema),
});

const MAPPING_FILE_FIX =
  "A mapping file has `fields:` (item field: source), and optionally `license:`, `format:` and `description:`; see src/datasets/mappings/jmedethicbench.yaml";

/** The path of a `--mapping` value: a built-in name (`jmedethicbench`) or a file path. */
export function resolveMappingPath(value: string): string {
  if ((BUILTIN_MAPPINGS as readonly string[]).includes(value))
    return join(packageRoot(), "src", "datasets", "mappings", `${value}.yaml`);
  if (!existsSync(value))
    throw new InputError(
      "dataset_invalid",
      { file: value },
      "mapping file not found",
      `Give the path of a YAML mapping file, or a built-in mapping: ${BUILTIN_MAPPINGS.join(", ")}`,
    );
  return value;
}

/** Reads a YAML (or JSON) mapping file; every problem is an InputError naming the file, line and field. */
export function readMappingFile(path: string): FieldMapping {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new InputError(
      "dataset_invalid",
      { file: path },
      `cannot read the mapping file (${errorMessage(error)})`,
      "Check the path",
    );
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const yamlError = document.errors[0];
  if (yamlError !== undefined)
    throw new InputError(
      "dataset_invalid",
      { file: path, line: lineCounter.linePos(yamlError.pos[0]).line },
      `YAML syntax error: ${yamlError.message.split("\n")[0] ?? ""}`,
      "Fix the YAML syntax (indentation, quoting, a missing colon)",
    );
  const lineOf = (keyPath: readonly (string | number)[]): number | undefined =>
    lineOfPath(document, lineCounter, keyPath, { fallbackToStart: true });
  const parsed = mappingFileSchema.safeParse(document.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const { field, problem } = describeIssue(issue, "mapping");
    const line = lineOf((issue?.path ?? []).map((part) => (typeof part === "symbol" ? String(part) : part)));
    throw new InputError(
      "dataset_invalid",
      { file: path, ...(line === undefined ? {} : { line }), field },
      problem,
      MAPPING_FILE_FIX,
    );
  }
  const rules = new Map<string, FieldRule>();
  for (const [target, value] of Object.entries(parsed.data.fields)) {
    const line = lineOf(["fields", target]);
    const origin = `${basename(path)}${line === undefined ? "" : `:${line}`}`;
    const fail = (problem: string, fix = MAPPING_FILE_FIX): InputError =>
      new InputError(
        "dataset_invalid",
        { file: path, ...(line === undefined ? {} : { line }), field: `fields.${target}` },
        problem,
        fix,
      );
    const from = typeof value === "string" || Array.isArray(value) ? value : value.from;
    const values = typeof value === "string" || Array.isArray(value) ? undefined : value.values;
    let source: SourceExpression;
    try {
      source = Array.isArray(from)
        ? parseSourceExpression(from[0] as string, from.slice(1))
        : parseSourceExpression(from);
    } catch (error) {
      throw fail(errorMessage(error));
    }
    rules.set(target, checkRule({ target, source, origin, ...(values === undefined ? {} : { values }) }, fail));
  }
  return {
    rules,
    file: path,
    ...(parsed.data.license === undefined ? {} : { license: parsed.data.license }),
    ...(parsed.data.format === undefined ? {} : { format: parsed.data.format }),
  };
}

/**
 * The mapping of an import: the mapping file's rules (if any), then `--map` rules replacing those of the same target.
 * Throws an InputError when an item field that has no default is left unmapped.
 */
export function buildFieldMapping(options: { readonly map?: string; readonly mapping?: string }): FieldMapping {
  const base: FieldMapping =
    options.mapping === undefined ? { rules: new Map() } : readMappingFile(resolveMappingPath(options.mapping));
  const rules = new Map(base.rules);
  for (const rule of options.map === undefined ? [] : parseMapOption(options.map)) rules.set(rule.target, rule);
  const missing = REQUIRED_TARGETS.filter((target) => !rules.has(target));
  if (missing.length > 0) {
    const where = base.file === undefined ? "--map" : `${base.file} / --map`;
    throw new InputError(
      "dataset_invalid",
      { file: where, field: missing[0] as string },
      `no source for ${missing.join(", ")}`,
      `Map every one of ${REQUIRED_TARGETS.join(", ")} (a column, or a quoted literal such as strategy="direct" or guidelineId="unspecified"); id defaults to {@file}-{@row} and seedRequest to the first user turn`,
    );
  }
  return { ...base, rules };
}
