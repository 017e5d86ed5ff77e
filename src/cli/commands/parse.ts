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
