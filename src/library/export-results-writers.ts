import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { stringify } from "csv-stringify/sync";
import { type BasicType, type ColumnSource, fileWriter, ParquetWriter, schemaFromColumnData } from "hyparquet-writer";
import { escapeFormulaCell } from "../report/index.js";
import {
  type CellValue,
  type ColumnType,
  flattenRow,
  type ResultColumn,
  type ResultRow,
} from "./export-results-rows.js";

/** The file formats of `export results`. */
export const RESULT_EXPORT_FORMATS = ["jsonl", "csv", "parquet"] as const;
export type ResultExportFormat = (typeof RESULT_EXPORT_FORMATS)[number];

/** Where rows go: written one at a time, then closed (the file is complete only after `close`). */
export interface RowSink {
  write(row: ResultRow): Promise<void>;
  close(): Promise<void>;
  /** Stops writing after a failure, without completing the file. */
  abort(): void;
}

/** Rows per Parquet row group: what the writer holds in memory at once. */
export const DEFAULT_ROW_GROUP_SIZE = 5000;

/** Rows stringified at once for CSV (small: csv-stringify's garbage grows faster than linearly with the chunk). */
const CSV_CHUNK_ROWS = 200;

/** A text file written through a stream that waits for `drain` (memory stays bounded however many rows). */
class TextFile {
  private readonly stream: WriteStream;
  private failure: Error | undefined;

  constructor(path: string) {
    this.stream = createWriteStream(path, { encoding: "utf8" });
    this.stream.on("error", (error) => {
      this.failure ??= error;
    });
  }

  async write(text: string): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (text !== "" && !this.stream.write(text)) await once(this.stream, "drain");
  }

  async close(): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    this.stream.end();
    await once(this.stream, "finish");
    if (this.failure !== undefined) throw this.failure;
  }

  abort(): void {
    this.stream.destroy();
  }
}

/** JSON Lines: one `ResultRow` object per line, verdicts nested. */
function jsonlSink(path: string): RowSink {
  const file = new TextFile(path);
  return {
    write: (row) => file.write(`${JSON.stringify(row)}\n`),
    close: () => file.close(),
    abort: () => file.abort(),
  };
}

/**
 * A CSV cell: text through the report's `escapeFormulaCell` (a leading `=`, `+`, `-`, `@`, tab or CR gets one `'`,
 * as does a leading `'`, so one `'` removed gives the value back), numbers as numbers, booleans as true/false.
 */
export function csvCell(value: CellValue): CellValue {
  return typeof value === "string" ? escapeFormulaCell(value) : value;
}

/**
 * CSV text of some rows of cells. Every text cell is quoted (`""` is an empty text) and a null cell is empty and
 * unquoted, so a reader tells null from "" (csv-parse: `context.quoting`; pandas reads both as missing).
 */
export function csvText(rows: readonly (readonly CellValue[])[]): string {
  return stringify(
    rows.map((row) => row.map(csvCell)),
    { quoted_string: true, cast: { boolean: (value) => (value ? "true" : "false") } },
  );
}

/** CSV with a header row, written a chunk of rows at a time. */
function csvSink(path: string, columns: readonly ResultColumn[], chunkRows: number): RowSink {
  const file = new TextFile(path);
  let pending: CellValue[][] = [];
  let started = false;
  const flush = async (): Promise<void> => {
    const header = started ? "" : csvText([columns.map((column) => column.name)]);
    started = true;
    await file.write(header + (pending.length === 0 ? "" : csvText(pending)));
    pending = [];
  };
  return {
    write: async (row) => {
      pending.push(flattenRow(row, columns));
      if (pending.length >= chunkRows) await flush();
    },
    close: async () => {
      await flush();
      await file.close();
    },
    abort: () => file.abort(),
  };
}

const PARQUET_TYPES: Record<ColumnType, BasicType> = {
  int: "INT32",
  double: "DOUBLE",
  boolean: "BOOLEAN",
  string: "STRING",
};

/**
 * Parquet (hyparquet-writer): the flat columns with their types (INT32, DOUBLE, BOOLEAN, UTF-8 STRING, all
 * nullable), one row group per `rowGroupSize` rows, each encoded and appended to the file as it fills, so memory
 * holds one row group. Text is written as it is (no spreadsheet opens Parquet).
 */
function parquetSink(
  path: string,
  columns: readonly ResultColumn[],
  rowGroupSize: number,
  metadata: Readonly<Record<string, string>>,
): RowSink {
  const sources = (data: CellValue[][]): ColumnSource[] =>
    columns.map((column, index) => ({
      name: column.name,
      data: data[index] ?? [],
      type: PARQUET_TYPES[column.type],
      nullable: true,
    }));
  const writer = new ParquetWriter({
    writer: fileWriter(path),
    schema: schemaFromColumnData({ columnData: sources(columns.map(() => [])) }),
    kvMetadata: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    createdBy: "medsafety (hyparquet-writer)",
  });
  let group: CellValue[][] = columns.map(() => []);
  let rows = 0;
  const flush = async (): Promise<void> => {
    if (rows === 0) return;
    await writer.write({ columnData: sources(group), rowGroupSize: rows });
    group = columns.map(() => []);
    rows = 0;
  };
  return {
    write: async (row) => {
      const cells = flattenRow(row, columns);
      cells.forEach((cell, index) => {
        group[index]?.push(cell);
      });
      rows += 1;
      if (rows >= rowGroupSize) await flush();
    },
    close: async () => {
      await flush();
      await writer.finish();
    },
    abort: () => {
      group = [];
    },
  };
}

/** What a sink needs to know besides its path. */
export interface SinkOptions {
  readonly columns: readonly ResultColumn[];
  readonly rowGroupSize: number;
  /** Key–value metadata of a Parquet file. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** The sink of a format. */
export function openSink(format: ResultExportFormat, path: string, options: SinkOptions): RowSink {
  if (format === "jsonl") return jsonlSink(path);
  if (format === "csv") return csvSink(path, options.columns, CSV_CHUNK_ROWS);
  return parquetSink(path, options.columns, options.rowGroupSize, options.metadata);
}
