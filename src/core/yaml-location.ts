import { createRequire } from "node:module";
import type { Document, LineCounter } from "yaml";

type Yaml = typeof import("yaml");
let yaml: Yaml | undefined;

/**
 * The yaml package, loaded on first use: every command imports core, and `medsafety --version` / `--help` must not pay
 * for parsing YAML (yaml's Node build is CommonJS, so `require` gives the same module its callers imported).
 */
function yamlModule(): Yaml {
  yaml ??= createRequire(import.meta.url)("yaml") as Yaml;
  return yaml;
}

/**
 * Line (1-based) of the key or list entry at `keyPath` in a parsed YAML (or JSON) document; when that key is
 * missing, the line of its nearest existing parent, so "field missing" errors point at the object lacking it.
 * With `fallbackToStart`, a path with no existing part gives the document's first line instead of undefined.
 * Shared by every loader of user files (config, guideline catalogs, strategy libraries).
 */
export function lineOfPath(
  document: Document,
  lineCounter: LineCounter,
  keyPath: readonly (string | number)[],
  options: { readonly fallbackToStart?: boolean } = {},
): number | undefined {
  const { isMap, isPair, isScalar } = yamlModule();
  for (let length = keyPath.length; length > 0; length -= 1) {
    const prefix = keyPath.slice(0, length);
    const parent = length === 1 ? document.contents : document.getIn(prefix.slice(0, -1), true);
    const last = prefix[length - 1];
    let offset: number | undefined;
    if (isMap(parent) && typeof last === "string") {
      const pair = parent.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === last);
      offset = pair !== undefined && isScalar(pair.key) ? pair.key.range?.[0] : undefined;
    } else {
      offset = (document.getIn(prefix, true) as { range?: [number, number, number] } | undefined)?.range?.[0];
    }
    if (offset !== undefined) return lineCounter.linePos(offset).line;
  }
  if (options.fallbackToStart !== true) return undefined;
  const start = (document.contents as { range?: [number, number, number] } | null)?.range?.[0];
  return start === undefined ? undefined : lineCounter.linePos(start).line;
}

/**
 * Line (1-based) of the key at `keyPath` in JSON (or YAML) text, through the YAML parser, which reads any valid JSON
 * with source positions; of the nearest existing parent when the key is missing. For error messages only: it parses
 * the text again.
 */
export function lineOfJsonPath(text: string, keyPath: readonly PropertyKey[]): number | undefined {
  const { LineCounter, parseDocument } = yamlModule();
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const path = keyPath.map((part) => (typeof part === "symbol" ? String(part) : part));
  return lineOfPath(document, lineCounter, path, { fallbackToStart: true });
}
