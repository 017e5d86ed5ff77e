/**
 * Why a statistic has no value for the data at hand (the data are valid; the statistic is undefined for them). Codes,
 * not sentences: reports word them in each language (src/report/messages/not-available.ts).
 */
export const NOT_AVAILABLE_CODES = [
  /** Fewer observations than the statistic needs (ICC: 2 complete rows; alpha: a unit with 2 ratings; kappa: a pair). */
  "too-few-observations",
  /** A zero denominator: every rating the same, so agreement beyond chance is undefined. */
  "no-variance",
  /** Kappa: a rating is not a whole number on the scale. */
  "off-scale",
  /** Kappa: there is no integer scale to weight disagreements on. */
  "no-scale",
  /** Spearman–Brown of a negative single-rater reliability (agreement below chance): the prophecy does not apply. */
  "negative-reliability",
  /** A single-rater reliability below −1 (ICC(2,1) can fall there in very small samples): outside a reliability's range. */
  "reliability-below-minus-one",
] as const;

export type NotAvailableCode = (typeof NOT_AVAILABLE_CODES)[number];

/** A statistic's value, or the reason it has none. */
export type Estimate =
  | { readonly value: number; readonly notAvailable?: undefined }
  | { readonly value: null; readonly notAvailable: NotAvailableCode };

export function available(value: number): Estimate {
  return { value };
}

export function notAvailable(code: NotAvailableCode): Estimate {
  return { value: null, notAvailable: code };
}
