import { codesOf } from "../../build/not-available.js";
import { notAvailableCell, notAvailableNotes, notAvailableReason } from "../../messages/not-available.js";
import type { NotAvailable, NotAvailableFields } from "../../model/not-available-model.js";
import { formatPValue } from "../p-value.js";
import { type Html, h, joinHtml } from "./template.js";

/** Numbers as the report prints them: "–" for a missing value, never a made-up zero. */
export function num(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits);
}

export function pct(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "–" : `${(value * 100).toFixed(digits)}%`;
}

/** A p-value as every report prints it (formatPValue: "0.040", "7.18e-66", "< 1e-300", never 0): text, escaped where placed. */
export function pValue(value: number | null | undefined): string {
  return formatPValue(value);
}

/**
 * A reliability coefficient with 3 decimals, or "n/a (reason)" with the full reason as a tooltip when the report
 * says why it has none (the reasons are also listed under the table: notAvailableNote).
 */
export function coefficient(value: number | null, reason: NotAvailable | undefined, lang: "en" | "ja"): Html {
  if (value !== null || reason === undefined) return h`${num(value, 3)}`;
  return h`<span class="not-available" title="${notAvailableReason(reason.code, lang)}">${notAvailableCell(reason.code, lang)}</span>`;
}

/** The full reasons behind a table's "n/a (…)" cells, as a note paragraph (nothing when there are none). */
export function notAvailableNote(
  objects: Iterable<{ readonly notAvailable?: NotAvailableFields<string> }>,
  lang: "en" | "ja",
): Html {
  const notes = notAvailableNotes(codesOf(objects), lang);
  return notes.length === 0 ? h`` : h`<p class="note not-available-reasons">${joinHtml(notes, h`<br>`)}</p>`;
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

/** What a table cell or header holds: markup, or text (escaped). */
export type Cell = Html | string;

/** An HTML table; string headers and cells are text. */
export function table(headers: readonly Cell[], rows: ReadonlyArray<readonly Cell[]>, className = ""): Html {
  const head = headers.map((header) => h`<th scope="col">${header}</th>`);
  const body = joinHtml(
    rows.map((row) => h`<tr>${row.map((cell) => h`<td>${cell}</td>`)}</tr>`),
    "\n",
  );
  return h`<div class="table-wrap"><table${className === "" ? "" : h` class="${className}"`}><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table></div>`;
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
  return h`<span class="counts">${pieces.join(" · ")}</span>`;
}
