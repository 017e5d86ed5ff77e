import { createReadStream, existsSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import type { z } from "zod";
import { InputError, parseJsonLine } from "../../core/index.js";

/** One validated line of a JSONL file. */
export interface JsonlRecord<T> {
  readonly value: T;
  readonly file: string;
  readonly line: number;
}

/**
 * Streams a JSONL file and validates each non-blank line with `schema` (memory flat in file size). The first bad
 * line throws a `dataset_invalid` InputError naming the file, the line and the field, then `fix`.
 */
export async function* readJsonlFile<S extends z.ZodType>(
  path: string,
  schema: S,
  fix: string,
): AsyncGenerator<JsonlRecord<z.output<S>>> {
  const file = resolve(path);
  if (!existsSync(file)) throw new InputError("dataset_invalid", { file }, "file not found", "Check the path");
  const lines = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line += 1;
    if (text.trim() === "") continue;
    yield { value: parseJsonLine(file, line, text, schema, { fix }), file, line };
  }
}

/** Reads every line once to validate the whole file before any model is called; returns the record count. */
export async function countJsonlRecords<S extends z.ZodType>(
  path: string,
  schema: S,
  fix: string,
  check?: (record: JsonlRecord<z.output<S>>) => void,
): Promise<number> {
  let count = 0;
  for await (const record of readJsonlFile(path, schema, fix)) {
    check?.(record);
    count += 1;
  }
  return count;
}
