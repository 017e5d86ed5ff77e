/**
 * Turn numbering at the boundaries. Inside the project (store columns, keys, report model, code) a turn is its
 * 0-based index; everything a person or a file sees (tables, Markdown, CSV, JSON, HTML, the viewer, review JSONL,
 * error messages) numbers turns from 1, as the JMedEthicBench paper does (turns 1 → 3). These two functions are the
 * only conversions, one per direction, so no output counts differently from another.
 */

/** The number people and files see for a 0-based turn index: index 0 is turn 1. */
export function turnNumber(turnIndex: number): number {
  return turnIndex + 1;
}

/** The 0-based turn index of a turn number read from a person or a file (turn 1 is index 0). */
export function turnIndexOf(turnNumberRead: number): number {
  return turnNumberRead - 1;
}

/** A pair of turns compared (decline tests), from two 0-based indexes: `1→2`. */
export function turnPairLabel(fromIndex: number, toIndex: number): string {
  return `${turnNumber(fromIndex)}→${turnNumber(toIndex)}`;
}
