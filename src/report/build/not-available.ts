/**
 * How the report model carries a statistic that is not available, and why. A statistic field stays `number | null`
 * (JSON readers keep working); the object that holds it gets `notAvailable: { <field>: { code, reason } }` for each
 * of its fields that is null for a known reason, and no `notAvailable` at all when every statistic has a value.
 * Formats print such a field as "n/a (<short reason>)" and give the full reason once per section (CSV: in its
 * `note` column); the words are in messages/not-available.ts.
 */
import type { Estimate, NotAvailableCode } from "../../analysis/index.js";
import { notAvailableReason } from "../messages/not-available.js";
import type { NotAvailable, NotAvailableFields } from "../model/not-available-model.js";

/** The report's record of a code: the code and its English reason. */
export function notAvailableOf(code: NotAvailableCode): NotAvailable {
  return { code, reason: notAvailableReason(code, "en") };
}

/** Every code in `notAvailable` fields of the given objects. */
export function codesOf(
  objects: Iterable<{ readonly notAvailable?: NotAvailableFields<string> }>,
): Set<NotAvailableCode> {
  const codes = new Set<NotAvailableCode>();
  for (const object of objects)
    for (const entry of Object.values(object.notAvailable ?? {})) if (entry !== undefined) codes.add(entry.code);
  return codes;
}

/**
 * The values of some estimates (null where not available) and, only when some are not available, their reasons:
 * spread the result into a report object. `{ icc21: available(0.8), kappa: notAvailable("no-scale") }` gives
 * `{ icc21: 0.8, kappa: null, notAvailable: { kappa: { code: "no-scale", reason: "…" } } }`.
 */
export function valuesWithReasons<Field extends string>(
  estimates: Readonly<Record<Field, Estimate>>,
): Record<Field, number | null> & { notAvailable?: NotAvailableFields<Field> } {
  const values = {} as Record<Field, number | null>;
  const reasons: Partial<Record<Field, NotAvailable>> = {};
  let missing = false;
  for (const field of Object.keys(estimates) as Field[]) {
    const estimate = estimates[field];
    values[field] = estimate.value;
    if (estimate.value === null) {
      reasons[field] = notAvailableOf(estimate.notAvailable);
      missing = true;
    }
  }
  return missing ? { ...values, notAvailable: reasons } : values;
}
