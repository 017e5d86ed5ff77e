/**
 * One rule for printing p-values, shared by the Markdown, terminal and HTML reports. The tests compute p from upper
 * tails (chi-square survival, normal tails, exact distributions), so a strong effect in a large run gives values far
 * below 1e-16 (e.g. 7.18e-66) that are printed as they are; a p-value below 1e-300, or one that underflowed to 0,
 * is printed as "< 1e-300", never as 0.
 */

/** Below this, p is printed as "< 1e-300" (a double underflows to 0 a few decades further down). */
export const SMALLEST_PRINTED_P = 1e-300;

/** "–" when missing; 3 decimals from 0.001 up ("0.040"); 3 significant digits below ("1.23e-5", "7.18e-66"); "< 1e-300". */
export function formatPValue(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  if (value < SMALLEST_PRINTED_P) return "< 1e-300";
  if (value < 0.001) {
    const [mantissa, exponent] = value.toExponential(2).split("e");
    return `${mantissa}e${Number(exponent)}`;
  }
  return value.toFixed(3);
}

/**
 * A p-value in a sentence: "p = 0.040", "p = 7.18e-66", "p < 1e-300" (where "p = < 1e-300" would read badly).
 * `compact` drops the spaces ("p=0.040", "p<1e-300") for the terminal's dense lines; `name` replaces "p".
 */
export function pStatement(
  value: number | null | undefined,
  options: { readonly name?: string; readonly compact?: boolean } = {},
): string {
  const name = options.name ?? "p";
  const text = formatPValue(value);
  const below = text.startsWith("<");
  if (options.compact === true) return below ? `${name}<${text.slice(2)}` : `${name}=${text}`;
  return below ? `${name} ${text}` : `${name} = ${text}`;
}
