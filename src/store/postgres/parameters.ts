/**
 * better-sqlite3 parameters (`?` in order, `@name` from one object) rewritten to PostgreSQL's `$1, $2, …`, so the
 * store's statements are written once. String literals, quoted identifiers and comments are left alone, and so are
 * PostgreSQL operators that start with `@` or `?` followed by something other than a name (`@>`, `?|`).
 */

/** A statement's PostgreSQL text and, for each `$n`, the name (`@name`) or position (`?`) its value comes from. */
export interface PostgresStatement {
  readonly text: string;
  readonly sources: readonly (string | number)[];
}

const cache = new Map<string, PostgresStatement>();

export function toPostgres(sql: string): PostgresStatement {
  const cached = cache.get(sql);
  if (cached !== undefined) return cached;
  const sources: (string | number)[] = [];
  const named = new Map<string, number>();
  let positional = 0;
  let text = "";
  let index = 0;
  while (index < sql.length) {
    const char = sql[index] as string;
    const skip = skipQuoted(sql, index);
    if (skip > index) {
      text += sql.slice(index, skip);
      index = skip;
      continue;
    }
    if (char === "?") {
      sources.push(positional++);
      text += `$${sources.length}`;
      index += 1;
      continue;
    }
    const name = char === "@" ? /^@([A-Za-z_][A-Za-z0-9_]*)/.exec(sql.slice(index))?.[1] : undefined;
    if (name !== undefined) {
      let number = named.get(name);
      if (number === undefined) {
        sources.push(name);
        number = sources.length;
        named.set(name, number);
      }
      text += `$${number}`;
      index += name.length + 1;
      continue;
    }
    text += char;
    index += 1;
  }
  const statement = { text, sources };
  if (cache.size > 5_000) cache.clear();
  cache.set(sql, statement);
  return statement;
}

/** The end of a string literal, quoted identifier or comment starting at `index`, or `index` when none starts there. */
function skipQuoted(sql: string, index: number): number {
  const char = sql[index];
  if (char === "'" || char === '"') {
    let end = index + 1;
    while (end < sql.length) {
      if (sql[end] === char) {
        if (sql[end + 1] === char) end += 2;
        else return end + 1;
      } else end += 1;
    }
    return sql.length;
  }
  if (char === "-" && sql[index + 1] === "-") {
    const end = sql.indexOf("\n", index);
    return end === -1 ? sql.length : end;
  }
  if (char === "/" && sql[index + 1] === "*") {
    const end = sql.indexOf("*/", index + 2);
    return end === -1 ? sql.length : end + 2;
  }
  return index;
}

/** The values for `$1, $2, …` from better-sqlite3 style arguments: values in order, arrays of them, or one object. */
export function bindValues(statement: PostgresStatement, args: readonly unknown[]): unknown[] {
  const single = args.length === 1 ? args[0] : undefined;
  const named =
    single !== undefined &&
    single !== null &&
    typeof single === "object" &&
    !Array.isArray(single) &&
    !(single instanceof Uint8Array)
      ? (single as Record<string, unknown>)
      : undefined;
  const positional = args.flatMap((value) => (Array.isArray(value) ? value : [value]));
  return statement.sources.map((source) => {
    if (typeof source === "number") {
      if (source >= positional.length)
        throw new RangeError(`Too few parameter values were provided (statement needs ${source + 1})`);
      return normalise(positional[source]);
    }
    if (named === undefined || !(source in named)) throw new RangeError(`Missing named parameter "${source}"`);
    return normalise(named[source]);
  });
}

function normalise(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === "bigint") return value.toString();
  return value;
}
