import {
  codesOf,
  type NotAvailable,
  type NotAvailableFields,
  notAvailableCell,
  notAvailableNotes,
  notAvailableReason,
} from "../not-available.js";
import { formatPValue } from "../p-value.js";
import { escapeHtml } from "./escape.js";

/** Numbers as the report prints them: "–" for a missing value, never a made-up zero. */
export function num(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits);
}

export function pct(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "–" : `${(value * 100).toFixed(digits)}%`;
}

/** A p-value as every report prints it (formatPValue: "0.040", "7.18e-66", "< 1e-300", never 0), escaped for HTML. */
export function pValue(value: number | null | undefined): string {
  return escapeHtml(formatPValue(value));
}

/**
 * A reliability coefficient with 3 decimals, or "n/a (reason)" with the full reason as a tooltip when the report
 * says why it has none (the reasons are also listed under the table: notAvailableNote).
 */
export function coefficient(value: number | null, reason: NotAvailable | undefined, lang: "en" | "ja"): string {
  if (value !== null || reason === undefined) return num(value, 3);
  return `<span class="not-available" title="${escapeHtml(notAvailableReason(reason.code, lang))}">${escapeHtml(notAvailableCell(reason.code, lang))}</span>`;
}

/** The full reasons behind a table's "n/a (…)" cells, as a note paragraph ("" when there are none). */
export function notAvailableNote(
  objects: Iterable<{ readonly notAvailable?: NotAvailableFields<string> }>,
  lang: "en" | "ja",
): string {
  const notes = notAvailableNotes(codesOf(objects), lang);
  return notes.length === 0 ? "" : `<p class="note not-available-reasons">${notes.map(escapeHtml).join("<br>")}</p>`;
}

/** "[low, high]" or "" when either end is missing. */
export function interval(
  low: number | null | undefined,
  high: number | null | undefined,
  format: (value: number) => string = (value) => num(value),
): string {
  return low === null || low === undefined || high === null || high === undefined
    ? ""
    : `[${format(low)}, ${format(high)}]`;
}

/** A small grey annotation after a value, escaped. */
export function note(text: string): string {
  return text === "" ? "" : ` <span class="muted">${escapeHtml(text)}</span>`;
}

/** An HTML table from already-escaped header and cell strings. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, className = ""): string {
  const head = headers.map((header) => `<th scope="col">${header}</th>`).join("");
  const body = rows.map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join("")}</tr>`).join("\n");
  return `<div class="table-wrap"><table${className === "" ? "" : ` class="${className}"`}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** Counts that must sit beside every mean: n, unscored, errors (and not reached when given). */
export function counts(
  parts: { readonly n: number; readonly unscored?: number; readonly errors?: number; readonly notReached?: number },
  labels: { readonly unscored: string; readonly errors: string; readonly notReached: string },
): string {
  const pieces = [`n=${parts.n}`];
  if (parts.unscored !== undefined) pieces.push(`${labels.unscored} ${parts.unscored}`);
  if (parts.errors !== undefined) pieces.push(`${labels.errors} ${parts.errors}`);
  if (parts.notReached !== undefined && parts.notReached > 0) pieces.push(`${labels.notReached} ${parts.notReached}`);
  return `<span class="counts">${escapeHtml(pieces.join(" · "))}</span>`;
}
