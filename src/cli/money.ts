import { formatUsd } from "../core/index.js";

/**
 * A total that may have unpriced parts: `$0.012`, `$0.012 + unpriced (3 calls)`, or `unpriced (3 calls)` when nothing
 * was priced. An unpriced call is never counted as $0.
 * USD as core's `formatUsd` writes it (one definition for the CLI and the budgets).
 */
export function formatCost(pricedUsd: number, pricedCalls: number, unpricedCalls: number): string {
  if (unpricedCalls === 0) return formatUsd(pricedUsd);
  const unpriced = `unpriced (${unpricedCalls.toLocaleString("en-US")} ${unpricedCalls === 1 ? "call" : "calls"})`;
  return pricedCalls === 0 ? unpriced : `${formatUsd(pricedUsd)} + ${unpriced}`;
}
