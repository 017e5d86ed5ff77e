import { readFileSync } from "node:fs";
import type { z } from "zod";
import { errorMessage, InputError } from "./errors.js";
import { lineOfJsonPath } from "./yaml-location.js";

/** The error code of bad input: a config-like file (prompts, rubrics) or a data file (benchmarks, catalogs). */
export type InputErrorCode = "config_invalid" | "dataset_invalid";

export interface JsonFileOptions {
  /** What the file is, for messages: "rubric" gives "rubric is not valid JSON". */
  readonly what: string;
  /** How a valid file looks, or where to see one: the fix said after a field's problem. */
  readonly example: string;
  /** Default `config_invalid`. */
  readonly code?: InputErrorCode;
}

/**
 * Reads a JSON file from outside (a user's, or a built-in data file), parses it and validates it with `schema`: the one
 * place such files meet `JSON.parse`. Any failure is an `InputError` naming the file: unreadable (why); not JSON (the
 * line, the column and the parser's reason); not valid (the line and path of the first bad field, its problem, then
 * `example`).
 */
export function readJsonFile<S extends z.ZodType>(path: string, schema: S, options: JsonFileOptions): z.output<S> {
  const code = options.code ?? "config_invalid";
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new InputError(
      code,
      { file: path },
      `cannot read the ${options.what} (${errorMessage(error)})`,
      "Check the path and that the file is readable",
    );
  }
  return validateJson(path, text, parseJsonText(path, text, { what: options.what, code }), schema, options);
}

/**
 * `JSON.parse` of outside text, with a failure as an `InputError` at the file's line (and the column in the message):
 * "<file>:<line>: <what> is not valid JSON at column <c> (<reason>)". `firstLine` is the line the text starts on (a
 * JSONL line); without `what` the problem reads "not valid JSON".
 */
export function parseJsonText(
  file: string,
  text: string,
  options: {
    readonly what?: string;
    readonly code?: InputErrorCode;
    readonly firstLine?: number;
    readonly fix?: string;
  } = {},
): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = errorMessage(error);
    const place = placeOf(reason, text);
    const line = place === undefined ? options.firstLine : place.line + (options.firstLine ?? 1) - 1;
    const subject = options.what === undefined ? "not valid JSON" : `${options.what} is not valid JSON`;
    throw new InputError(
      options.code ?? "config_invalid",
      { file, ...(line === undefined ? {} : { line }) },
      `${subject}${place === undefined ? "" : ` at column ${place.column}`} (${reason})`,
      options.fix ?? "Fix the JSON syntax (a missing comma or quote, a trailing comma)",
    );
  }
}

/**
 * One line of a JSONL file (numbered from 1): parsed (`parseJsonText`), then validated with `schema`; errors name the
 * file, the line and the field, then `fix`.
 */
export function parseJsonLine<S extends z.ZodType>(
  file: string,
  line: number,
  text: string,
  schema: S,
  options: { readonly code?: InputErrorCode; readonly fix: string; readonly syntaxFix?: string },
): z.output<S> {
  const code = options.code ?? "dataset_invalid";
  const value = parseJsonText(file, text, {
    code,
    firstLine: line,
    fix: options.syntaxFix ?? "Each line must be one complete JSON object",
  });
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const { field, problem } = describeIssue(parsed.error.issues[0]);
  throw new InputError(code, { file, line, field }, problem, options.fix);
}

function validateJson<S extends z.ZodType>(
  file: string,
  text: string,
  value: unknown,
  schema: S,
  options: JsonFileOptions,
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const { field, problem } = describeIssue(issue, options.what);
  const line = lineOfJsonPath(text, issue?.path ?? []);
  throw new InputError(
    options.code ?? "config_invalid",
    { file, ...(line === undefined ? {} : { line }), field },
    problem,
    options.example,
  );
}

/** The dotted field path and the problem of zod's first issue (an unknown key is named as the field). */
export function describeIssue(
  issue: z.core.$ZodIssue | undefined,
  what = "value",
): { readonly field: string; readonly problem: string } {
  if (issue === undefined) return { field: "", problem: `invalid ${what}` };
  const path = issue.path.map(String);
  const unknownKeys = issue.code === "unrecognized_keys" ? issue.keys : [];
  return {
    field: [...path, ...unknownKeys.slice(0, 1)].join("."),
    problem:
      unknownKeys.length > 0 ? `unknown field(s) ${unknownKeys.map((key) => `"${key}"`).join(", ")}` : issue.message,
  };
}

/** Line and column (1-based) of a JSON.parse failure, from the position in its message; undefined when it has none. */
function placeOf(reason: string, text: string): { readonly line: number; readonly column: number } | undefined {
  const named = /\(line (\d+) column (\d+)\)/.exec(reason);
  if (named?.[1] !== undefined && named[2] !== undefined) return { line: Number(named[1]), column: Number(named[2]) };
  const position = /at position (\d+)/.exec(reason)?.[1];
  const offset =
    position !== undefined ? Number(position) : /Unexpected end of JSON input/.test(reason) ? text.length : undefined;
  if (offset === undefined) return undefined;
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}
