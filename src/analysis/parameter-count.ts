/**
 * A model's size as configs write it (`parameters: 8B`, `0.6B`, `235B-A22B`) read as numbers: the total parameter
 * count and, for a mixture of experts, the parameters active per token (after `-A`). The scaling figure orders a
 * family by the total and draws it on a log scale.
 */

/** A parsed size: `active` equals `total` for a dense model. */
export interface ParameterCount {
  readonly total: number;
  readonly active: number;
  readonly mixtureOfExperts: boolean;
}

const UNITS = { K: 1e3, M: 1e6, B: 1e9, T: 1e12 } as const;
type Unit = keyof typeof UNITS;

/** The form `providers/model-settings.ts` accepts: a number and a unit, and a mixture's active part after `-A`. */
const PATTERN = /^(\d+(?:\.\d+)?)([KMBT])(?:-A(\d+(?:\.\d+)?)([KMBT]))?$/;

function count(digits: string, unit: string): number {
  // Parameters are whole: 0.6B is 600,000,000 (rounded, so 1.1 × 1e9's binary error never shows).
  return Math.round(Number(digits) * UNITS[unit as Unit]);
}

/**
 * `"8B"` → `{ total: 8e9, active: 8e9 }`, `"235B-A22B"` → `{ total: 235e9, active: 22e9 }`. Null for text not of
 * that form, a size of 0, or more active parameters than total ones (the config schema rejects the form; a stored
 * run config is read as it is, so the report asks here and shows an unreadable size as not given).
 */
export function parseParameterCount(text: string): ParameterCount | null {
  const match = PATTERN.exec(text.trim());
  if (match === null) return null;
  const total = count(match[1] ?? "", match[2] ?? "");
  const mixtureOfExperts = match[3] !== undefined;
  const active = mixtureOfExperts ? count(match[3] ?? "", match[4] ?? "") : total;
  if (total <= 0 || active <= 0 || active > total) return null;
  return { total, active, mixtureOfExperts };
}

/** A count in the configs' units, shortest form: 8e9 → "8B", 6e8 → "600M", 2.35e11 → "235B", 1.5e12 → "1.5T". */
export function formatParameterCount(value: number): string {
  const units: Unit[] = ["T", "B", "M", "K"];
  for (const unit of units) {
    if (value >= UNITS[unit]) return `${Number((value / UNITS[unit]).toPrecision(4))}${unit}`;
  }
  return String(value);
}
