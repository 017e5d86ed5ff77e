/**
 * Input checks shared by the statistics. A non-finite value is a caller's bug (reports keep missing scores out), and
 * a test fed one either looped forever or returned a confident number; every public function rejects it instead,
 * with a RangeError that names the function, the argument and the position.
 */

/** Throws unless every value is a finite number. */
export function requireFinite(values: ArrayLike<number>, where: string, argument = "values"): void {
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index];
    if (!Number.isFinite(value))
      throw new RangeError(`${where}: ${argument} must be finite numbers; ${argument}[${index}] is ${String(value)}`);
  }
}

/** Throws unless `value` is a finite number in [0, 1] (a probability, a p-value, a quantile level). */
export function requireUnitInterval(value: number, where: string, argument: string): void {
  if (!(value >= 0 && value <= 1))
    throw new RangeError(`${where}: ${argument} must be a finite number in [0, 1]; it is ${String(value)}`);
}

/** Throws unless `value` is a non-negative integer (a count, a size). */
export function requireCount(value: number, where: string, argument: string): void {
  if (!Number.isInteger(value) || value < 0)
    throw new RangeError(`${where}: ${argument} must be a finite non-negative integer; it is ${String(value)}`);
}
