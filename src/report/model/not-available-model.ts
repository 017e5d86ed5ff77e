/** How the report model carries a statistic that is not available, and why (build/not-available.ts fills it). */
import type { NotAvailableCode } from "../../analysis/index.js";

/** Why one statistic of the report has no value: `code` for programs, `reason` (English) for people. */
export interface NotAvailable {
  readonly code: NotAvailableCode;
  readonly reason: string;
}

/** The reasons of an object's null statistics, keyed by field name. */
export type NotAvailableFields<Field extends string> = Partial<Readonly<Record<Field, NotAvailable>>>;
