import { escapeHtml } from "./escape.js";

/** Numbers as the report prints them: "–" for a missing value, never a made-up zero. */
export function num(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits);
}

export function pct(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "–" : `${(value * 100).toFixed(digits)}%`;
}

export function pValue(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return value < 0.001 ? value.toExponential(1) : value.toFixed(3);
}

/** "[low, high]" or "" when either end is missing. */
export function interval(low: number | null | undefined, high: number | null | undefined, format: (value: number) => string = (value) => num(value)): string {
  return low === null || low === undefined || high === null || high === undefined ? "" : `[${format(low)}, ${format(high)}]`;
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
export function counts(parts: { readonly n: number; readonly unscored?: number; readonly errors?: number; readonly notReached?: number }, labels: { readonly unscored: string; readonly errors: string; readonly notReached: string }): string {
  const pieces = [`n=${parts.n}`];
  if (parts.unscored !== undefined) pieces.push(`${labels.unscored} ${parts.unscored}`);
  if (parts.errors !== undefined) pieces.push(`${labels.errors} ${parts.errors}`);
  if (parts.notReached !== undefined && parts.notReached > 0) pieces.push(`${labels.notReached} ${parts.notReached}`);
  return `<span class="counts">${escapeHtml(pieces.join(" · "))}</span>`;
}
