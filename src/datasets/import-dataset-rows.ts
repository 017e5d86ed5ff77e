import { createReadStream, readFileSync } from "node:fs";
import { extname } from "node:path";
import { Transform, type TransformCallback } from "node:stream";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { parse } from "csv-parse";
import { errorMessage, InputError, parseJsonText } from "../core/index.js";
import { DATASET_FORMATS, type DatasetFormat } from "./field-mapping.js";
import { readUtf8Lines } from "./utf8-lines.js";

/** One row of a dataset file, before mapping. */
export interface SourceRow {
  /** The row's value: an object for every format (a JSON row that is not an object is refused by the mapper). */
  readonly value: unknown;
  /** 1-based data row (the header of a CSV is not a row). */
  readonly row: number;
  /** The line the row starts on, for formats with lines (JSONL, CSV). */
  readonly line?: number;
  /** A row that could not even be read (bad JSON on its line, a CSV row of the wrong width): the problem. */
  readonly problem?: { readonly problem: string; readonly fix: string };
}

/** The rows of one file and, when the format has them, its column names (checked against the mapping first). */
export interface RowSource {
  readonly format: DatasetFormat;
  readonly columns?: readonly string[];
  readonly rows: AsyncIterable<SourceRow>;
}

const EXTENSIONS: Readonly<Record<string, DatasetFormat>> = {
  ".json": "json",
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".csv": "csv",
  ".tsv": "tsv",
  ".parquet": "parquet",
};

/** The format of a file by its extension, or undefined. */
export function formatOfPath(path: string): DatasetFormat | undefined {
  return EXTENSIONS[extname(path).toLowerCase()];
}

/** The format to read a file as: `--format`, else the mapping file's, else the extension's. */
export function datasetFormatFor(path: string, given: DatasetFormat | undefined): DatasetFormat {
  const format = given ?? formatOfPath(path);
  if (format === undefined)
    throw new InputError(
      "dataset_invalid",
      { file: path },
      `cannot tell the format from the extension "${extname(path)}"`,
      `Name the file .json, .jsonl, .csv, .tsv or .parquet, or pass --format (${DATASET_FORMATS.join(", ")})`,
    );
  return format;
}

/** Opens a dataset file as rows. Problems with the whole file (not JSON, no header) throw InputErrors. */
export async function openRows(path: string, format: DatasetFormat): Promise<RowSource> {
  switch (format) {
    case "json":
      return { format, rows: jsonRows(path) };
    case "jsonl":
      return { format, rows: jsonlRows(path) };
    case "csv":
    case "tsv":
      return csvRows(path, format);
    case "parquet":
      return parquetRows(path);
  }
}

function readText(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new InputError(
      "dataset_invalid",
      { file: path },
      `cannot read the file (${errorMessage(error)})`,
      "Check the path",
    );
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(
      "dataset_invalid",
      { file: path },
      "the file is not valid UTF-8 text",
      "Save the file as UTF-8 (it may be Shift_JIS or Latin-1)",
    );
  }
}

/** A JSON array of rows, or an object whose `data` is that array (the whole file is read: JSON cannot be streamed). */
async function* jsonRows(path: string): AsyncGenerator<SourceRow> {
  const value = parseJsonText(path, readText(path), {
    code: "dataset_invalid",
    fix: "The file must be one JSON value: an array of rows, or an object with a `data` array (for one row per line use .jsonl)",
  });
  const rows = Array.isArray(value)
    ? value
    : typeof value === "object" && value !== null && Array.isArray((value as { data?: unknown }).data)
      ? ((value as { data: unknown[] }).data as unknown[])
      : undefined;
  if (rows === undefined) {
    const keys = typeof value === "object" && value !== null ? Object.keys(value) : [];
    throw new InputError(
      "dataset_invalid",
      { file: path },
      `expected an array of rows or an object with a "data" array${keys.length > 0 ? `, found an object with ${keys.map((key) => `"${key}"`).join(", ")}` : ""}`,
      "Give the file that holds the rows (JSON Lines files are read with .jsonl)",
    );
  }
  for (const [index, row] of rows.entries()) yield { value: row, row: index + 1 };
}

async function* jsonlRows(path: string): AsyncGenerator<SourceRow> {
  let row = 0;
  for await (const { number, text } of readUtf8Lines(path)) {
    if (text.trim() === "") continue;
    row += 1;
    try {
      yield { value: parseJsonText(path, text, { code: "dataset_invalid", firstLine: number }), row, line: number };
    } catch (error) {
      yield {
        value: undefined,
        row,
        line: number,
        problem: {
          problem: `not valid JSON (${errorMessage(error).replace(/^.*?: /, "")})`,
          fix: "Each line must be one complete JSON object",
        },
      };
    }
  }
}

/** Decodes bytes as UTF-8 and fails on bytes that are not (csv-parse alone would read them as U+FFFD). */
class FatalUtf8 extends Transform {
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      callback(null, this.decoder.decode(chunk, { stream: true }));
    } catch {
      callback(new Error("the file is not valid UTF-8 text (save it as UTF-8; it may be Shift_JIS or Latin-1)"));
    }
  }
  override _flush(callback: TransformCallback): void {
    try {
      callback(null, this.decoder.decode());
    } catch {
      callback(new Error("the file ends inside a UTF-8 character"));
    }
  }
}

interface CsvRecord {
  readonly record: string[];
  readonly line: number;
}

function csvParser(path: string, format: "csv" | "tsv"): AsyncIterator<CsvRecord> {
  const parser = parse({
    info: true,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    delimiter: format === "tsv" ? "\t" : ",",
  });
  const input = createReadStream(path);
  const decode = new FatalUtf8();
  input.on("error", (error) => parser.destroy(error));
  decode.on("error", (error) => parser.destroy(error));
  input.pipe(decode).pipe(parser);
  const iterator = (parser as AsyncIterable<{ record: string[]; info: { lines: number } }>)[Symbol.asyncIterator]();
  return {
    async next() {
      try {
        const result = await iterator.next();
        if (result.done === true) return { done: true, value: undefined };
        return { done: false, value: { record: result.value.record, line: result.value.info.lines } };
      } catch (error) {
        input.destroy();
        const lines: unknown =
          typeof error === "object" && error !== null && "lines" in error ? error.lines : undefined;
        throw new InputError(
          "dataset_invalid",
          typeof lines === "number" ? { file: path, line: lines } : { file: path },
          `not valid ${format.toUpperCase()} (${errorMessage(error)})`,
          "Quote fields that contain the delimiter, quotes or line breaks",
        );
      }
    },
    async return() {
      input.destroy();
      parser.destroy();
      return { done: true, value: undefined };
    },
  };
}

async function csvRows(path: string, format: "csv" | "tsv"): Promise<RowSource> {
  const records = csvParser(path, format);
  const first = await records.next();
  if (first.done === true)
    throw new InputError(
      "dataset_invalid",
      { file: path, line: 1 },
      "empty file (no header row)",
      "The first row must name the columns",
    );
  const header = first.value.record;
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name))
      throw new InputError(
        "dataset_invalid",
        { file: path, line: first.value.line, field: name },
        `the column name "${name}" appears twice in the header`,
        "Give every column a distinct name",
      );
    seen.add(name);
  }
  async function* rows(): AsyncGenerator<SourceRow> {
    let row = 0;
    try {
      for (let next = await records.next(); next.done !== true; next = await records.next()) {
        row += 1;
        const { record, line } = next.value;
        if (record.length !== header.length) {
          yield {
            value: undefined,
            row,
            line,
            problem: {
              problem: `${record.length} cells for ${header.length} columns`,
              fix: "Give every row one cell per header column (quote cells that contain the delimiter or line breaks)",
            },
          };
          continue;
        }
        yield { value: Object.fromEntries(header.map((name, index) => [name, record[index]])), row, line };
      }
    } finally {
      await records.return?.();
    }
  }
  return { format, columns: header, rows: rows() };
}

/** Codecs beyond hyparquet's own (snappy, uncompressed) that node:zlib decodes. */
const ZLIB_CODECS = {
  GZIP: (input: Uint8Array) => new Uint8Array(gunzipSync(input)),
  BROTLI: (input: Uint8Array) => new Uint8Array(brotliDecompressSync(input)),
};

/** Rows read per chunk of a Parquet file (a chunk is decoded at once; the file is never read whole). */
const PARQUET_CHUNK_ROWS = 2000;

async function parquetRows(path: string): Promise<RowSource> {
  const { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } = await import("hyparquet");
  let file: Awaited<ReturnType<typeof asyncBufferFromFile>>;
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    file = await asyncBufferFromFile(path);
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    throw new InputError(
      "dataset_invalid",
      { file: path },
      `not a readable Parquet file (${errorMessage(error)})`,
      "Check that the file is Parquet (.parquet) and complete",
    );
  }
  const columns = parquetSchema(metadata).children.map((child) => child.element.name);
  const total = Number(metadata.num_rows);
  async function* rows(): AsyncGenerator<SourceRow> {
    for (let start = 0; start < total; start += PARQUET_CHUNK_ROWS) {
      let chunk: Record<string, unknown>[];
      try {
        chunk = await parquetReadObjects({
          file,
          metadata,
          compressors: ZLIB_CODECS,
          rowStart: start,
          rowEnd: Math.min(total, start + PARQUET_CHUNK_ROWS),
        });
      } catch (error) {
        throw new InputError(
          "dataset_invalid",
          { file: path },
          `cannot read rows ${start + 1}–${Math.min(total, start + PARQUET_CHUNK_ROWS)} (${errorMessage(error)})`,
          'Check that the file is complete. Snappy, gzip, brotli and uncompressed columns are read; for zstd or lz4, write the file again with snappy (pandas: df.to_parquet(path, compression="snappy"))',
        );
      }
      for (const [index, value] of chunk.entries()) yield { value, row: start + index + 1 };
    }
  }
  return { format: "parquet", columns, rows: rows() };
}
