/**
 * The OWASP rule against CSV (formula) injection: spreadsheets (Excel, LibreOffice, Google Sheets) run a cell that
 * starts with `=`, `+`, `-` or `@` as a formula (`=HYPERLINK(...)`, `=cmd|' /C calc'!A0`), and some also after a
 * leading tab or carriage return. Strategy, guideline, category, target and judge names come from benchmark files,
 * configs and models, so every text cell a CSV export writes goes through {@link escapeFormulaCell}.
 */

/** First characters that make a spreadsheet read a cell as a formula. */
export const FORMULA_TRIGGERS: readonly string[] = ["=", "+", "-", "@", "\t", "\r"];

/**
 * A text cell that no spreadsheet runs: one `'` before a value that starts with a formula trigger. A value that
 * already starts with `'` gets one too, so the rule is reversible: a reader removes exactly one leading `'`
 * ({@link unescapeFormulaCell}) and has the value back. Only for text: numbers are written as numbers (a negative
 * number such as `-0.5` is data, not a formula).
 */
export function escapeFormulaCell(value: string): string {
  const first = value.charAt(0);
  return first === "'" || FORMULA_TRIGGERS.includes(first) ? `'${value}` : value;
}

/** The value {@link escapeFormulaCell} was given: one leading `'` removed, if there is one. */
export function unescapeFormulaCell(cell: string): string {
  return cell.startsWith("'") ? cell.slice(1) : cell;
}
