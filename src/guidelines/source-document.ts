import { type Document, LineCounter, parseDocument } from "yaml";
import { InputError, lineOfPath, parseJsonText } from "../core/index.js";

/** Key path inside a parsed file, as zod reports it. */
export type FieldPath = readonly PropertyKey[];

/** A YAML or JSON file's value, and the line (1-based) of any key path in it. */
export interface SourceDocument {
  readonly value: unknown;
  /** Line of the key (or list entry) at `path`; of the nearest existing parent when it is missing. */
  readonly lineOf: (path: FieldPath) => number | undefined;
}

export type SourceFormat = "yaml" | "json";

/**
 * Parses a catalog file. JSON is read by `parseJsonText` (YAML would accept trailing commas and other non-JSON), and
 * its lines are found through the YAML parser, which reads any valid JSON with source positions.
 */
export function parseSourceDocument(file: string, text: string, format: SourceFormat): SourceDocument {
  if (format === "json") {
    const value = parseJson(file, text);
    // Positions are only needed for an error message: parse them then, not for every valid (built-in) catalog.
    let positions: Positions | undefined;
    return {
      value,
      lineOf: (path) => {
        positions ??= parsePositions(text);
        return locate(positions, path);
      },
    };
  }
  const positions = parsePositions(text);
  const { document, lineCounter } = positions;
  const lineOf = (path: FieldPath): number | undefined => locate(positions, path);
  const yamlError = document.errors[0];
  if (yamlError !== undefined) {
    const line = yamlError.linePos?.[0].line ?? lineCounter.linePos(yamlError.pos[0]).line;
    throw new InputError(
      "dataset_invalid",
      { file, line },
      `YAML syntax error: ${firstLine(yamlError.message)}`,
      "Fix the YAML syntax (indentation, quoting, a missing colon)",
    );
  }
  return { value: document.toJS() as unknown, lineOf };
}

function parseJson(file: string, text: string): unknown {
  return parseJsonText(file, text, { code: "dataset_invalid" });
}

interface Positions {
  readonly document: Document;
  readonly lineCounter: LineCounter;
}

function parsePositions(text: string): Positions {
  const lineCounter = new LineCounter();
  return { document: parseDocument(text, { lineCounter, prettyErrors: false }), lineCounter };
}

function locate({ document, lineCounter }: Positions, path: FieldPath): number | undefined {
  return lineOfPath(
    document,
    lineCounter,
    path.map((part) => (typeof part === "symbol" ? String(part) : part)),
    { fallbackToStart: true },
  );
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}
