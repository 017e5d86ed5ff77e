import { InvalidArgumentError } from "commander";

/** Commander argument parser for a positive integer flag. */
export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new InvalidArgumentError("expected a positive integer");
  return number;
}

/** Commander argument parser for a positive number of seconds (fractions allowed: 0.5). */
export function positiveSeconds(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError("expected a positive number of seconds");
  return number;
}

/** Commander argument parser for an amount of US dollars (`--max-cost 12.5`, `--max-cost '$12.50'`). */
export function positiveUsd(value: string): number {
  const number = Number(value.trim().replace(/^\$/, ""));
  if (!Number.isFinite(number) || number <= 0)
    throw new InvalidArgumentError("expected a positive amount of US dollars, e.g. 25 or 2.50");
  return number;
}

/** Commander argument parser for `--precision`: a half-width in (0, 0.5] (`0.03`: ±3 percentage points). */
export function precisionHalfWidth(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || number > 0.5)
    throw new InvalidArgumentError("expected a half-width above 0 and at most 0.5, e.g. 0.03 for ±3 points");
  return number;
}
