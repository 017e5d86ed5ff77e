/**
 * A spending limit in USD over units of work that run at the same time (the conversations of a run, the tasks of a
 * generation job; decision 0021). A unit starts only when what is spent, plus what the units in flight are still
 * expected to cost, plus the new unit's own expected cost stays within the limit. Costs are charged as calls end;
 * a unit in flight is expected to cost `max(0, expected − charged so far)` more.
 *
 * The limit can be passed only by units that cost more than expected: the money spent at the end is at most
 * `maxUsd + Σ max(0, actual − expected)` over the units in flight when the last one started (at most one per worker).
 */
export class CostBudget {
  private spent: number;
  private readonly inFlight = new Map<string, { readonly expected: () => number; charged: number }>();

  /**
   * @param maxUsd the limit in USD
   * @param spentUsd what was spent before (a resumed run's stored cost)
   */
  constructor(
    readonly maxUsd: number,
    spentUsd = 0,
  ) {
    this.spent = spentUsd;
  }

  /** USD spent: the cost before plus every charge. */
  get spentUsd(): number {
    return this.spent;
  }

  /** Units started and not finished. */
  get unitsInFlight(): number {
    return this.inFlight.size;
  }

  /** What the units in flight are still expected to cost: Σ max(0, expected − charged). */
  inFlightUsd(): number {
    let total = 0;
    for (const unit of this.inFlight.values()) total += Math.max(0, unit.expected() - unit.charged);
    return total;
  }

  /**
   * Starts unit `key` when `spent + in flight + expected ≤ maxUsd`; `expected` is read again at every later check
   * (an estimate may improve while the unit runs). Returns whether it started and the numbers it was decided on.
   */
  tryStart(key: string, expected: () => number): BudgetCheck {
    const own = expected();
    const check = { spentUsd: this.spent, inFlightUsd: this.inFlightUsd(), expectedUsd: own };
    const fits = check.spentUsd + check.inFlightUsd + own <= this.maxUsd + TOLERANCE_USD;
    if (fits) this.inFlight.set(key, { expected, charged: 0 });
    return { fits, ...check };
  }

  /** Adds the cost of a call that ended; `key` names its unit when it belongs to one in flight. */
  charge(key: string | undefined, usd: number): void {
    if (!(usd > 0)) return;
    this.spent += usd;
    const unit = key === undefined ? undefined : this.inFlight.get(key);
    if (unit !== undefined) unit.charged += usd;
  }

  /** What unit `key` was charged so far (0 when it is not in flight). */
  chargedTo(key: string): number {
    return this.inFlight.get(key)?.charged ?? 0;
  }

  /** The unit ended: it is no longer in flight; its charges stay spent. */
  finish(key: string): void {
    this.inFlight.delete(key);
  }
}

/** What a start was decided on. */
export interface BudgetCheck {
  readonly fits: boolean;
  readonly spentUsd: number;
  readonly inFlightUsd: number;
  readonly expectedUsd: number;
}

/** Sums of floating-point prices differ from the exact sum by far less than a millionth of a dollar. */
const TOLERANCE_USD = 1e-9;

/**
 * A USD amount for people, the one definition the CLI and the budgets use: `$0` for zero; from $1 two decimals with
 * thousands separators (`$1,234.57`); below $1 two decimals for whole cents (`$0.40`), else three significant digits
 * (`$0.0325`, `$0.125`, `$0.000015`), so a small budget or price reads as it was given. Never for an unknown cost:
 * callers say "unpriced" instead.
 */
export function formatUsd(usd: number): string {
  if (usd === 0) return "$0";
  const sign = usd < 0 ? "-" : "";
  const amount = Math.abs(usd);
  if (amount >= 1)
    return `${sign}$${amount.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  const cents = amount.toFixed(2);
  if (Math.abs(Number(cents) - amount) < TOLERANCE_USD) return `${sign}$${cents}`;
  return `${sign}$${amount.toLocaleString("en-US", { maximumSignificantDigits: 3 })}`;
}
