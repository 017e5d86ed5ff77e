import { requireFinite, requireUnitInterval } from "./validate.js";

/**
 * Cohen's d for two independent samples: (mean₁ − mean₂) / pooled SD, with the pooled variance
 * ((n₁ − 1)s₁² + (n₂ − 1)s₂²) / (n₁ + n₂ − 2) and n − 1 denominators. Null when n₁ + n₂ < 3, either sample is
 * empty, or the pooled SD is 0. A RangeError for a non-finite value.
 */
export function cohensD(first: ArrayLike<number>, second: ArrayLike<number>): number | null {
  requireFinite(first, "cohensD", "first");
  requireFinite(second, "cohensD", "second");
  const n1 = first.length;
  const n2 = second.length;
  if (n1 === 0 || n2 === 0 || n1 + n2 < 3) return null;
  const mean1 = mean(first);
  const mean2 = mean(second);
  const pooled = Math.sqrt(
    (sumOfSquaredDeviations(first, mean1) + sumOfSquaredDeviations(second, mean2)) / (n1 + n2 - 2),
  );
  if (pooled === 0) return null;
  return (mean1 - mean2) / pooled;
}

function mean(values: ArrayLike<number>): number {
  let total = 0;
  for (let index = 0; index < values.length; index += 1) total += values[index] ?? 0;
  return total / values.length;
}

function sumOfSquaredDeviations(values: ArrayLike<number>, centre: number): number {
  let total = 0;
  for (let index = 0; index < values.length; index += 1) total += ((values[index] ?? 0) - centre) ** 2;
  return total;
}

/**
 * Holm step-down adjusted p-values, in the input order: sort ascending, multiply the i-th smallest (0-based) by
 * m − i, take the running maximum so the adjusted values are monotone, and cap at 1. Equal p-values keep their
 * input order (stable sort), which does not change the result. A RangeError for a p-value outside [0, 1].
 */
export function holm(pValues: readonly number[]): number[] {
  for (const [index, p] of pValues.entries()) requireUnitInterval(p, "holm", `pValues[${index}]`);
  const m = pValues.length;
  const order = pValues.map((p, index) => ({ p, index })).sort((left, right) => left.p - right.p);
  const adjusted = new Array<number>(m).fill(0);
  let runningMax = 0;
  order.forEach(({ p, index }, rank) => {
    runningMax = Math.max(runningMax, (m - rank) * p);
    adjusted[index] = Math.min(1, runningMax);
  });
  return adjusted;
}
