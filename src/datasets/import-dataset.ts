import { basename, extname } from "node:path";
import { InputError, type Language, parseJsonText } from "../core/index.js";
import { type BenchmarkItem, benchmarkItemSchema } from "./benchmark-item.js";
import type { DatasetFormat, FieldMapping, FieldRule, SourceExpression } from "./field-mapping.js";
import { datasetFormatFor, openRows, type SourceRow } from "./import-dataset-rows.js";

/** Where a file of an import came from: kept in every item's `metadata.provenance`. */
export interface DatasetProvenance {
  /** The dataset as the user named it: a local path, or `hf://org/name`. */
  readonly source: string;
  /** The file: its path inside the Hub repository, or the local path as given. */
  readonly file: string;
  /** The revision asked for (a branch, tag or commit), Hub only. */
  readonly revision?: string;
  /** The commit the revision resolved to, Hub only: what makes the import reproducible. */
  readonly commit?: string;
  /** Where the file was downloaded from, Hub only. */
  readonly url?: string;
  readonly license?: string;
}

/** One file to import: the local path to read, and its provenance. */
export interface DatasetFile {
  readonly path: string;
  readonly provenance: DatasetProvenance;
}

export interface ImportDatasetOptions {
  readonly mapping: FieldMapping;
  /** Read every file as this format (default: the mapping file's, else each file's extension). */
  readonly format?: DatasetFormat;
  /**
   * Report a bad row through `onBadRow` and go on, instead of stopping at the first one. Every skipped row is
   * reported, and counted in the summary.
   */
  readonly skipBadRows?: boolean;
  readonly onBadRow?: (error: InputError) => void;
}

/** Counts of an import, complete once its items have been read to the end. */
export interface ImportDatasetSummary {
  files: number;
  rows: number;
  items: number;
  /** Bad rows skipped under `skipBadRows` (each one was reported). */
  skipped: number;
  perFile: Record<string, { rows: number; items: number; skipped: number }>;
  perLanguage: Record<string, number>;
}

export interface DatasetImport {
  readonly items: AsyncIterable<BenchmarkItem>;
  readonly summary: ImportDatasetSummary;
}

/** A problem with one row: the source field at fault, the problem and its fix. */
class RowProblem extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(problem);
  }
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/** Language names a dataset may use, lower-cased, and the project's code for them. */
const LANGUAGE_NAMES: Readonly<Record<string, Language>> = {
  ja: "ja",
  jp: "ja",
  jpn: "ja",
  "ja-jp": "ja",
  ja_jp: "ja",
  japanese: "ja",
  日本語: "ja",
  en: "en",
  eng: "en",
  "en-us": "en",
  "en-gb": "en",
  en_us: "en",
  english: "en",
  英語: "en",
};

/**
 * Converts dataset files into benchmark items with a field mapping, streaming, one file after another. A bad row
 * throws an InputError naming the file, the row (and line), the source field and the fix; with `skipBadRows` it is
 * reported through `onBadRow`, counted, and skipped. Ids must be unique across all files.
 */
export function importDataset(files: readonly DatasetFile[], options: ImportDatasetOptions): DatasetImport {
  const summary: ImportDatasetSummary = { files: 0, rows: 0, items: 0, skipped: 0, perFile: {}, perLanguage: {} };
  async function* items(): AsyncGenerator<BenchmarkItem> {
    const ids = new Map<string, string>();
    for (const file of files) {
      summary.files += 1;
      const counts = { rows: 0, items: 0, skipped: 0 };
      summary.perFile[file.provenance.file] = counts;
      const format = datasetFormatFor(file.path, options.format ?? options.mapping.format);
      const source = await openRows(file.path, format);
      if (source.columns !== undefined) checkColumns(file, source.columns, options.mapping);
      const seenOptional = new Set<string>();
      for await (const row of source.rows) {
        summary.rows += 1;
        counts.rows += 1;
        let item: BenchmarkItem;
        try {
          item = mapRow(row, file, format, options.mapping, seenOptional);
          const earlier = ids.get(item.id);
          if (earlier !== undefined)
            throw new RowProblem(
              fieldOfTarget(options.mapping, "id"),
              `duplicate id "${item.id}" (first at ${earlier})`,
              "Map id to a column whose values are unique, or to a template such as {@file}-{@row} or {id}-{language}",
            );
          ids.set(item.id, `${file.provenance.file} row ${row.row}`);
        } catch (error) {
          if (!(error instanceof RowProblem)) throw error;
          const failure = rowError(file, row, error);
          if (options.skipBadRows !== true) throw failure;
          options.onBadRow?.(failure);
          summary.skipped += 1;
          counts.skipped += 1;
          continue;
        }
        summary.items += 1;
        counts.items += 1;
        summary.perLanguage[item.language] = (summary.perLanguage[item.language] ?? 0) + 1;
        yield item;
      }
      if (counts.rows > 0) checkOptionalSourcesSeen(file, options.mapping, seenOptional);
    }
    if (summary.rows > 0 && summary.items === 0)
      throw new InputError(
        "dataset_invalid",
        { file: files.map((file) => file.path).join(", ") },
        `none of the ${summary.rows} rows could be imported (${summary.skipped} skipped)`,
        "Check the mapping against the columns the errors above name",
      );
  }
  return { items: items(), summary };
}

function rowError(file: DatasetFile, row: SourceRow, problem: RowProblem): InputError {
  return new InputError(
    "dataset_invalid",
    {
      file: file.path,
      ...(row.line === undefined ? {} : { line: row.line }),
      ...(problem.field === "" ? {} : { field: problem.field }),
    },
    `row ${row.row}: ${problem.problem}`,
    problem.fix,
  );
}

/** The top-level columns a source reads (the first segment of a dotted path, unless the whole path is a column). */
function columnsOf(source: SourceExpression, columns: ReadonlySet<string>): string[] {
  const top = (path: string): string => (columns.has(path) ? path : (path.split(".")[0] ?? path));
  switch (source.kind) {
    case "field":
      return [top(source.path)];
    case "columns":
      return [...source.columns];
    case "template":
      return source.parts.flatMap((part) => (typeof part === "object" && "path" in part ? [top(part.path)] : []));
    default:
      return [];
  }
}

/** CSV and Parquet name their columns: a mapping that reads a column the file lacks fails before any row. */
function checkColumns(file: DatasetFile, columns: readonly string[], mapping: FieldMapping): void {
  const names = new Set(columns);
  const listed = columns.map((name) => (name === "" ? '""' : name)).join(", ");
  for (const rule of mapping.rules.values()) {
    if (
      rule.source.kind === "pattern" &&
      !columns.some((name) => (rule.source as { pattern: RegExp }).pattern.test(name))
    )
      throw new InputError(
        "dataset_invalid",
        { file: file.path, field: rule.source.text },
        `no column matches the pattern "${rule.source.text}" (${rule.target}, from ${rule.origin})`,
        `The columns are: ${listed}`,
      );
    const missing = columnsOf(rule.source, names).find((name) => !names.has(name));
    if (missing !== undefined)
      throw new InputError(
        "dataset_invalid",
        { file: file.path, field: missing },
        `unknown field "${missing}": the file has no such column (${rule.target}, from ${rule.origin})`,
        `Map ${rule.target} to one of the columns: ${listed}`,
      );
  }
}

/** JSON rows have no header: an optional source absent from every row of a file is a mapping mistake, not data. */
function checkOptionalSourcesSeen(file: DatasetFile, mapping: FieldMapping, seen: ReadonlySet<string>): void {
  // A turn column no row has would silently shorten every conversation (trailing empty turns are dropped).
  const turns = mapping.rules.get("turns");
  const absent =
    turns?.source.kind === "columns" ? turns.source.columns.find((column) => !seen.has(`turns:${column}`)) : undefined;
  if (turns !== undefined && absent !== undefined)
    throw new InputError(
      "dataset_invalid",
      { file: file.path, field: absent },
      `unknown field "${absent}": no row has this turn column (turns, from ${turns.origin})`,
      "Check the spelling against the file's rows",
    );
  for (const rule of mapping.rules.values()) {
    if (!isOptionalTarget(rule.target) || rule.source.kind !== "field" || seen.has(rule.target)) continue;
    throw new InputError(
      "dataset_invalid",
      { file: file.path, field: rule.source.path },
      `unknown field "${rule.source.path}": no row has it (${rule.target}, from ${rule.origin})`,
      "Check the spelling against the file's rows, or leave the mapping out",
    );
  }
}

function isOptionalTarget(target: string): boolean {
  return target === "pairId" || target === "rubric" || target.startsWith("metadata.");
}

function fieldOfTarget(mapping: FieldMapping, target: string): string {
  const rule = mapping.rules.get(target);
  return rule === undefined ? target : sourceText(rule.source);
}

function sourceText(source: SourceExpression): string {
  switch (source.kind) {
    case "field":
      return source.path;
    case "literal":
      return JSON.stringify(source.value);
    case "columns":
      return source.columns.join(",");
    default:
      return source.text;
  }
}

/** The value at a dotted path of a row: the whole path as a key first (CSV headers may hold dots), then nested. */
function valueAt(row: unknown, path: string): { readonly found: boolean; readonly value: unknown } {
  if (isRecord(row) && Object.hasOwn(row, path)) return { found: true, value: row[path] };
  let current: unknown = row;
  for (const part of path.split(".")) {
    if (Array.isArray(current) && /^\d+$/.test(part) && Number(part) < current.length) current = current[Number(part)];
    else if (isRecord(current) && Object.hasOwn(current, part)) current = current[part];
    else return { found: false, value: undefined };
  }
  return { found: true, value: current };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function keysOf(row: unknown): string {
  const keys = isRecord(row) ? Object.keys(row) : [];
  return keys.length === 0 ? "none" : keys.slice(0, 20).join(", ") + (keys.length > 20 ? ", …" : "");
}

interface RowContext {
  readonly row: SourceRow;
  readonly file: DatasetFile;
  readonly format: DatasetFormat;
  /** The item's language code, once known ({@language} in templates). */
  readonly language?: Language;
}

/** Text of a scalar cell (string, number, bigint); undefined for null/absent; a RowProblem for anything else. */
function scalarText(value: unknown, field: string, target: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (typeof value === "boolean") return String(value);
  throw new RowProblem(field, `${target}: expected text, found ${describe(value)}`, `Map ${target} to a text column`);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value instanceof Uint8Array) return "binary data";
  if (value instanceof Date) return "a date";
  return value === null ? "null" : `a${typeof value === "object" ? "n object" : ` ${typeof value}`}`;
}

/** The raw value of a rule for a row (turn column lists give an array); `found` false when the row lacks it. */
function ruleValue(rule: FieldRule, context: RowContext): { found: boolean; value: unknown; field: string } {
  const { source } = rule;
  switch (source.kind) {
    case "literal":
      return { found: true, value: source.value, field: "" };
    case "field": {
      const { found, value } = valueAt(context.row.value, source.path);
      return { found, value, field: source.path };
    }
    case "template": {
      let text = "";
      for (const part of source.parts) {
        if (typeof part === "string") text += part;
        else if ("special" in part) text += specialValue(part.special, context, rule);
        else {
          const { found, value } = valueAt(context.row.value, part.path);
          const cell = found ? scalarText(value, part.path, rule.target) : undefined;
          if (cell === undefined)
            throw new RowProblem(
              part.path,
              `${rule.target}: the template ${source.text} needs "${part.path}", which this row ${found ? "leaves empty" : "lacks"} (its fields: ${keysOf(context.row.value)})`,
              "Fix the row, or use a template whose fields every row has",
            );
          text += cell;
        }
      }
      return { found: true, value: text, field: source.text };
    }
    case "columns":
      return {
        found: true,
        value: source.columns.map((column) => valueAt(context.row.value, column).value),
        field: source.columns.join(","),
      };
    case "pattern": {
      const row = context.row.value;
      const keys = isRecord(row) ? Object.keys(row).filter((key) => source.pattern.test(key)) : [];
      keys.sort(naturalOrder);
      return {
        found: keys.length > 0,
        value: keys.map((key) => (row as Record<string, unknown>)[key]),
        field: source.text,
      };
    }
  }
}

function specialValue(special: "row" | "file" | "language", context: RowContext, rule: FieldRule): string {
  if (special === "row") return String(context.row.row);
  if (special === "file") return fileStem(context.file);
  if (context.language === undefined)
    throw new RowProblem(
      rule.origin,
      "{@language} cannot be used in language itself",
      "Map language to a column or a literal",
    );
  return context.language;
}

/** `turn_2` before `turn_10`: runs of digits compare as numbers. */
function naturalOrder(left: string, right: string): number {
  return left.localeCompare(right, "en", { numeric: true });
}

function fileStem(file: DatasetFile): string {
  const name = basename(file.provenance.file);
  const stem = name.slice(0, name.length - extname(name).length);
  const cleaned = stem.replace(/[^A-Za-z0-9._:-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "");
  return cleaned === "" ? "row" : cleaned;
}

function translated(rule: FieldRule, text: string): string {
  return rule.values?.[text] ?? text;
}

/** A text field of the item from its rule: required ones must be present and non-empty. */
function textField(
  mapping: FieldMapping,
  target: string,
  context: RowContext,
  required: boolean,
  seen: Set<string>,
): string | undefined {
  const rule = mapping.rules.get(target);
  if (rule === undefined) return undefined;
  const { found, value, field } = ruleValue(rule, context);
  if (found && value !== null && value !== undefined) seen.add(target);
  if (!found) {
    if (!required) return undefined;
    throw new RowProblem(
      field,
      `unknown field "${field}" for ${target} (from ${rule.origin}); the row's fields are: ${keysOf(context.row.value)}`,
      `Map ${target} to a field the rows have`,
    );
  }
  const text = scalarText(value, field, target);
  if (text === undefined || text === "") {
    if (!required) return undefined;
    throw new RowProblem(
      field,
      `${target} is empty`,
      `Every row needs a ${target}; fix the row or map ${target} to another field`,
    );
  }
  return translated(rule, text);
}

function languageOf(text: string, field: string): Language {
  const language = LANGUAGE_NAMES[text.trim().toLowerCase()];
  if (language === undefined)
    throw new RowProblem(
      field,
      `language "${text}" is not Japanese or English`,
      'Use ja or en (Japanese/English, jpn/eng and ja-JP/en-US are read too), translate other values with `values:` in a mapping file, or give a literal: language="ja"',
    );
  return language;
}

interface Turns {
  readonly turns: string[];
  readonly replies: string[];
  readonly system: string[];
}

const USER_ROLES = new Set(["user", "human", "prompter"]);
const ASSISTANT_ROLES = new Set(["assistant", "gpt", "model", "bot", "ai"]);

/** The user turns (and reference replies, system messages) of a rule's value. */
function turnsOf(rule: FieldRule, context: RowContext, seen: Set<string>): Turns {
  const { found, value, field } = ruleValue(rule, context);
  if (rule.source.kind === "columns")
    for (const column of rule.source.columns) if (valueAt(context.row.value, column).found) seen.add(`turns:${column}`);
  if (!found)
    throw new RowProblem(
      field,
      `unknown field "${field}" for turns (from ${rule.origin}); the row's fields are: ${keysOf(context.row.value)}`,
      "Map turns to a list of strings, a role/content message list, or turn columns (turn_0,turn_1 or turn_*)",
    );
  if (rule.source.kind === "columns" || rule.source.kind === "pattern")
    return turnColumns(rule, value as unknown[], context);
  return turnList(embeddedJson(value, context), field);
}

/** A CSV cell holding a JSON list (how lists are often written to CSV) is read as that list. */
function embeddedJson(value: unknown, context: RowContext): unknown {
  if ((context.format !== "csv" && context.format !== "tsv") || typeof value !== "string") return value;
  if (!value.trimStart().startsWith("[")) return value;
  try {
    const parsed = parseJsonText("cell", value);
    return Array.isArray(parsed) ? parsed : value;
  } catch {
    return value;
  }
}

function turnColumns(rule: FieldRule, cells: readonly unknown[], context: RowContext): Turns {
  const names =
    rule.source.kind === "columns"
      ? rule.source.columns
      : Object.keys(context.row.value as Record<string, unknown>)
          .filter((key) => (rule.source as { pattern: RegExp }).pattern.test(key))
          .sort(naturalOrder);
  let last = cells.length - 1;
  while (last >= 0 && isEmptyCell(cells[last])) last -= 1;
  const turns: string[] = [];
  for (let index = 0; index <= last; index += 1) {
    const cell = cells[index];
    const column = names[index] ?? String(index);
    if (isEmptyCell(cell))
      throw new RowProblem(
        column,
        `turn ${index + 1} (column "${column}") is empty while a later turn column is not`,
        "Fill the turn, or leave every later turn column empty too (trailing empty turn columns are dropped)",
      );
    if (typeof cell !== "string")
      throw new RowProblem(
        column,
        `turn ${index + 1} (column "${column}") is ${describe(cell)}, not text`,
        "Map turns to text columns",
      );
    turns.push(cell);
  }
  return { turns, replies: [], system: [] };
}

function isEmptyCell(cell: unknown): boolean {
  return cell === undefined || cell === null || cell === "";
}

function turnList(value: unknown, field: string): Turns {
  if (typeof value === "string") return { turns: [value], replies: [], system: [] };
  if (!Array.isArray(value))
    throw new RowProblem(
      field,
      `turns: expected a list of strings or of {role, content} messages, found ${describe(value)}`,
      "Map turns to a list field, or to turn columns (turn_0,turn_1 or turn_*)",
    );
  const turns: string[] = [];
  const replies: string[] = [];
  const system: string[] = [];
  for (const [index, entry] of value.entries()) {
    if (typeof entry === "string") {
      turns.push(entry);
      continue;
    }
    const message = messageOf(entry, `${field}.${index}`);
    if (USER_ROLES.has(message.role)) turns.push(message.content);
    else if (ASSISTANT_ROLES.has(message.role)) replies.push(message.content);
    else if (message.role === "system") system.push(message.content);
    else
      throw new RowProblem(
        `${field}.${index}.role`,
        `unknown message role "${message.role}"`,
        "Messages take the roles user (or human), assistant (or gpt, model) and system",
      );
  }
  return { turns, replies, system };
}

/** A chat message: `{role, content}` (OpenAI, HF chat templates) or `{from, value}` (ShareGPT). */
function messageOf(entry: unknown, field: string): { role: string; content: string } {
  if (!isRecord(entry))
    throw new RowProblem(
      field,
      `expected a string or a {role, content} message, found ${describe(entry)}`,
      "Give user turns as strings or messages",
    );
  const role = entry["role"] ?? entry["from"];
  const content = entry["content"] ?? entry["value"] ?? entry["text"];
  if (typeof role !== "string")
    throw new RowProblem(`${field}.role`, "the message has no role (role or from)", "Give every message a role");
  if (typeof content === "string") return { role: role.toLowerCase(), content };
  const parts = Array.isArray(content) ? content : undefined;
  const texts = parts?.filter((part) => isRecord(part) && part["type"] === "text" && typeof part["text"] === "string");
  if (parts !== undefined && texts !== undefined && texts.length === 1 && parts.length === 1)
    return { role: role.toLowerCase(), content: (texts[0] as { text: string }).text };
  throw new RowProblem(
    `${field}.content`,
    `the message content is ${describe(content)}, not text`,
    "Give each message its text as content (a string, or one {type: text} part)",
  );
}

/** A value fit for JSON metadata: bigints (Parquet INT64) as numbers when exact, else strings; dates as ISO text. */
function jsonValue(value: unknown, field: string): unknown {
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array)
    throw new RowProblem(
      field,
      "binary data cannot go into metadata",
      "Map metadata keys to text, number or list columns",
    );
  if (Array.isArray(value)) return value.map((entry) => jsonValue(entry, field));
  if (isRecord(value))
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, jsonValue(entry, field)]));
  return value;
}

function mapRow(
  row: SourceRow,
  file: DatasetFile,
  format: DatasetFormat,
  mapping: FieldMapping,
  seen: Set<string>,
): BenchmarkItem {
  if (row.problem !== undefined) throw new RowProblem("", row.problem.problem, row.problem.fix);
  if (!isRecord(row.value))
    throw new RowProblem(
      "",
      `expected an object (a row with named fields), found ${describe(row.value)}`,
      "Every row must be an object",
    );
  let context: RowContext = { row, file, format };
  const turnsRule = mapping.rules.get("turns") as FieldRule;
  const { turns, replies, system } = turnsOf(turnsRule, context, seen);
  if (turns.length === 0)
    throw new RowProblem(
      sourceText(turnsRule.source),
      "no user turn (the messages hold no user message)",
      "Every row needs at least one user turn",
    );
  const languageRule = mapping.rules.get("language") as FieldRule;
  const language = languageOf(
    textField(mapping, "language", context, true, seen) as string,
    sourceText(languageRule.source),
  );
  context = { ...context, language };
  const metadata: Record<string, unknown> = {};
  for (const rule of mapping.rules.values()) {
    if (!rule.target.startsWith("metadata.")) continue;
    const { found, value, field } = ruleValue(rule, context);
    if (!found || value === null || value === undefined) continue;
    seen.add(rule.target);
    metadata[rule.target.slice("metadata.".length)] =
      typeof value === "string" ? translated(rule, value) : jsonValue(value, field);
  }
  if (replies.length > 0 && !Object.hasOwn(metadata, "referenceReplies")) metadata["referenceReplies"] = replies;
  if (system.length > 0 && !Object.hasOwn(metadata, "systemMessages")) metadata["systemMessages"] = system;
  metadata["provenance"] = provenanceOf(file, row);
  const id = mapping.rules.has("id")
    ? (textField(mapping, "id", context, true, seen) as string)
    : `${fileStem(file)}-${row.row}`;
  if (!ID_PATTERN.test(id))
    throw new RowProblem(
      fieldOfTarget(mapping, "id"),
      `id "${id.slice(0, 80)}" has characters an id cannot hold`,
      "Ids use letters, digits, '.', '_', ':' or '-' and start with a letter or digit; map id to a template such as item-{@row} or {uid}-{language}",
    );
  const pairId = textField(mapping, "pairId", context, false, seen);
  const rubric = textField(mapping, "rubric", context, false, seen);
  const candidate = {
    id,
    language,
    ...(pairId === undefined ? {} : { pairId }),
    guidelineId: textField(mapping, "guidelineId", context, true, seen),
    strategy: textField(mapping, "strategy", context, true, seen),
    seedRequest: mapping.rules.has("seedRequest") ? textField(mapping, "seedRequest", context, true, seen) : turns[0],
    turns,
    ...(rubric === undefined ? {} : { rubric }),
    metadata,
  };
  const parsed = benchmarkItemSchema.safeParse(candidate);
  if (parsed.success) return parsed.data;
  // A defaulted seedRequest (the first turn) fails with that turn: name the turn, which is what the row holds.
  const issues = parsed.error.issues;
  const issue =
    (mapping.rules.has("seedRequest") ? undefined : issues.find((entry) => entry.path[0] === "turns")) ?? issues[0];
  const path = issue?.path.map(String) ?? [];
  const target = path[0] ?? "";
  const rule = mapping.rules.get(target);
  const index = path[1] === undefined ? undefined : Number(path[1]);
  const field =
    rule?.source.kind === "columns" && index !== undefined
      ? (rule.source.columns[index] ?? sourceText(rule.source))
      : rule === undefined
        ? target
        : sourceText(rule.source);
  const label = target === "turns" && index !== undefined ? `turn ${index + 1}` : path.join(".");
  throw new RowProblem(
    field,
    `${label}: ${issue?.message ?? "invalid"}`,
    `Fix the row, or map ${target} differently (the item fields are listed in docs/benchmark-format.md)`,
  );
}

function provenanceOf(file: DatasetFile, row: SourceRow): Record<string, unknown> {
  const { provenance } = file;
  return {
    source: provenance.source,
    file: provenance.file,
    row: row.row,
    ...(row.line === undefined ? {} : { line: row.line }),
    ...(provenance.revision === undefined ? {} : { revision: provenance.revision }),
    ...(provenance.commit === undefined ? {} : { commit: provenance.commit }),
    ...(provenance.url === undefined ? {} : { url: provenance.url }),
    ...(provenance.license === undefined ? {} : { license: provenance.license }),
  };
}
