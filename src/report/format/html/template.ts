/**
 * The auto-escaping template tag of every HTML page (the static report and the viewer): hono's `html`, typed for
 * synchronous values. Every interpolated string is text: escaped (`& < > " '`), with the characters HTML forbids
 * dropped (controls other than tab, newline and carriage return) and lone surrogates replaced; only an `Html` value
 * (another `h` template, or `raw(...)` for markup made elsewhere, such as Vega's SVG) is inserted as it is. Arrays are
 * joined without separators; `null`, `undefined` and booleans print nothing.
 */
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

export type Html = HtmlEscapedString;

export { raw };

/** hono's `html` tag for synchronous values (never a Promise), strings cleaned by {@link htmlText} first. */
export function h(strings: TemplateStringsArray, ...values: unknown[]): Html {
  return html(strings, ...values.map(cleaned)) as Html;
}

/** Text without what HTML cannot hold: controls but tab, newline and carriage return dropped, lone surrogates → U+FFFD. */
export function htmlText(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters it removes
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, "")
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD")
  );
}

function cleaned(value: unknown): unknown {
  if (typeof value === "string") return htmlText(value);
  if (Array.isArray(value)) return value.map(cleaned);
  return value;
}

/** Parts joined by a separator (text or markup), as one piece of HTML. */
export function joinHtml(parts: ReadonlyArray<Html | string>, separator: Html | string): Html {
  return h`${parts.map((part, index) => (index === 0 ? h`${part}` : h`${separator}${part}`))}`;
}
