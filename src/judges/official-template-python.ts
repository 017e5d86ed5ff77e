/**
 * Just enough of Python's string literals to read a prompt template out of a Python source file without running it:
 * a variable assigned a string literal (plain, raw or f-string; single, double or triple quotes), its escapes, and an
 * f-string's `{name}` fields. No library reads Python source from Node, and running the user's Python would need an
 * interpreter and their dependencies (openai, pandas): this reads, never executes (decision 0027).
 */

/** A piece of a decoded string: literal text, or an f-string field `{name}`. */
export type LiteralPart = { readonly text: string } | { readonly field: string };

/** A string literal found in a source file. */
export interface FoundLiteral {
  readonly parts: readonly LiteralPart[];
  readonly fString: boolean;
  /** 1-based line of the assignment (or keyword argument). */
  readonly line: number;
}

/** Why a literal could not be read: shown to the user with the file and line. */
export class LiteralError extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(problem);
  }
}

/**
 * The string literal assigned to `name` (`name = "..."`, at any indentation, on a line that is not a comment), or
 * undefined when no such assignment exists. Throws LiteralError for a literal it cannot read (bytes, unterminated,
 * an f-string field with a conversion or format spec).
 */
export function findAssignedString(source: string, name: string): FoundLiteral | undefined {
  return findString(source, new RegExp(`^[ \\t]*${name}[ \\t]*=[ \\t]*(?=[rRfFuUbB]{0,2}["'])`, "gm"));
}

/** The string literal given to a keyword argument `name="..."` on a line that is not a comment, or undefined. */
export function findKeywordString(source: string, name: string): FoundLiteral | undefined {
  return findString(source, new RegExp(`^(?![ \\t]*#)[^\\n]*?\\b${name}[ \\t]*=[ \\t]*(?=[rRfFuUbB]{0,2}["'])`, "gm"));
}

/** `from a.b import x, y` lines: the module paths (`a/b`) of the names imported, for looking variables up there. */
export function importedModules(source: string): string[] {
  return [...source.matchAll(/^from[ \t]+([\w.]+)[ \t]+import\b/gm)].map((match) =>
    (match[1] ?? "").split(".").join("/"),
  );
}

function findString(source: string, pattern: RegExp): FoundLiteral | undefined {
  const match = pattern.exec(source);
  if (match === null) return undefined;
  const start = match.index + match[0].length;
  const line = lineAt(source, match.index + (match[0].length - match[0].trimStart().length));
  return { ...readLiteral(source, start, line), line };
}

function readLiteral(source: string, start: number, line: number): { parts: LiteralPart[]; fString: boolean } {
  const prefix = /^[rRfFuUbB]{0,2}/.exec(source.slice(start))?.[0] ?? "";
  const flags = prefix.toLowerCase();
  if (flags.includes("b")) throw new LiteralError(line, "the value is a bytes literal, not a string");
  const raw = flags.includes("r");
  const fString = flags.includes("f");
  let index = start + prefix.length;
  const quoteChar = source[index] ?? "";
  const quote = source.startsWith(quoteChar.repeat(3), index) ? quoteChar.repeat(3) : quoteChar;
  index += quote.length;
  let body = "";
  for (;;) {
    if (index >= source.length || (quote.length === 1 && source[index] === "\n")) {
      throw new LiteralError(line, "the string is not terminated");
    }
    if (source.startsWith(quote, index)) break;
    if (source[index] === "\\") {
      body += source.slice(index, index + 2);
      index += 2;
      continue;
    }
    body += source[index];
    index += 1;
  }
  const parts = fString ? fStringParts(body, raw, line) : [{ text: raw ? body : decodeEscapes(body, line) }];
  return { parts: merged(parts), fString };
}

/** Splits an f-string's body into text (with `{{` `}}` as braces) and `{name}` fields; text is unescaped. */
function fStringParts(body: string, raw: boolean, line: number): LiteralPart[] {
  const parts: LiteralPart[] = [];
  let text = "";
  const flush = (): void => {
    if (text !== "") parts.push({ text: raw ? text : decodeEscapes(text, line) });
    text = "";
  };
  for (let index = 0; index < body.length; index += 1) {
    const char = body[index];
    if ((char === "{" || char === "}") && body[index + 1] === char) {
      text += char;
      index += 1;
    } else if (char === "{") {
      const end = body.indexOf("}", index);
      const expression = end < 0 ? body.slice(index) : body.slice(index + 1, end).trim();
      if (end < 0 || !/^[A-Za-z_]\w*$/.test(expression)) {
        throw new LiteralError(
          line,
          `the f-string field {${expression}} is not a plain {name} (conversions, format specs and expressions are not read)`,
        );
      }
      flush();
      parts.push({ field: expression });
      index = end;
    } else if (char === "}") {
      throw new LiteralError(line, "the f-string has a single } outside a field");
    } else text += char;
  }
  flush();
  return parts;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  "\n": "",
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\u0007",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

/** Python's escape sequences in a non-raw string; an unknown escape keeps its backslash, as Python does. */
function decodeEscapes(text: string, line: number): string {
  return text.replace(
    /\\(N\{[^}]*\}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|[\s\S])/g,
    (whole, sequence: string) => {
      const simple = SIMPLE_ESCAPES[sequence];
      if (simple !== undefined) return simple;
      if (sequence.startsWith("N{")) throw new LiteralError(line, `the named escape \\${sequence} is not read`);
      if (/^[xuU]/.test(sequence)) return String.fromCodePoint(Number.parseInt(sequence.slice(1), 16));
      if (/^[0-7]+$/.test(sequence)) return String.fromCodePoint(Number.parseInt(sequence, 8));
      return whole;
    },
  );
}

function merged(parts: readonly LiteralPart[]): LiteralPart[] {
  const out: LiteralPart[] = [];
  for (const part of parts) {
    const last = out.at(-1);
    if ("text" in part && last !== undefined && "text" in last) out[out.length - 1] = { text: last.text + part.text };
    else out.push(part);
  }
  return out;
}

function lineAt(source: string, index: number): number {
  let line = 1;
  for (
    let position = source.indexOf("\n");
    position >= 0 && position < index;
    position = source.indexOf("\n", position + 1)
  ) {
    line += 1;
  }
  return line;
}
