import { InvalidArgumentError } from "commander";

/** Commander argument parser for a positive integer flag. */
export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new InvalidArgumentError("expected a positive integer");
  return number;
}
