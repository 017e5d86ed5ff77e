import { describe, expect, it } from "vitest";
import { CostBudget, formatUsd } from "./cost-budget.js";

describe("CostBudget", () => {
  it("starts a unit only when spent + in flight + its own expected cost stays within the limit", () => {
    const budget = new CostBudget(1, 0.2);
    expect(budget.tryStart("a", () => 0.5)).toEqual({ fits: true, spentUsd: 0.2, inFlightUsd: 0, expectedUsd: 0.5 });
    // 0.2 spent + 0.5 in flight + 0.4 = 1.1 > 1
    expect(budget.tryStart("b", () => 0.4)).toEqual({ fits: false, spentUsd: 0.2, inFlightUsd: 0.5, expectedUsd: 0.4 });
    expect(budget.unitsInFlight).toBe(1);
    // 0.2 + 0.5 + 0.3 = 1.0: exactly the limit fits
    expect(budget.tryStart("c", () => 0.3).fits).toBe(true);
  });

  it("counts a unit in flight at what it is still expected to cost, and never below 0", () => {
    const budget = new CostBudget(10);
    let expected = 2;
    budget.tryStart("a", () => expected);
    budget.charge("a", 0.5);
    expect(budget.spentUsd).toBe(0.5);
    expect(budget.chargedTo("a")).toBe(0.5);
    expect(budget.inFlightUsd()).toBe(1.5);
    expected = 1; // a better estimate while it runs
    expect(budget.inFlightUsd()).toBe(0.5);
    budget.charge("a", 3); // it cost more than expected
    expect(budget.inFlightUsd()).toBe(0);
    budget.finish("a");
    expect(budget.unitsInFlight).toBe(0);
    expect(budget.spentUsd).toBe(3.5);
  });

  it("charges calls of no unit in flight to the total only, and ignores zero and unknown costs", () => {
    const budget = new CostBudget(1);
    budget.charge(undefined, 0.25);
    budget.charge("gone", 0.25);
    budget.charge("gone", 0);
    budget.charge("gone", Number.NaN);
    expect(budget.spentUsd).toBe(0.5);
    expect(budget.chargedTo("gone")).toBe(0);
  });

  it("refuses everything once the money spent before is over the limit", () => {
    const budget = new CostBudget(1, 1.5);
    expect(budget.tryStart("a", () => 0).fits).toBe(false);
  });

  it("formats dollars with two decimals, whole cents with two, anything finer below $1 with three significant digits", () => {
    expect(formatUsd(12.3)).toBe("$12.30");
    expect(formatUsd(1234.567)).toBe("$1,234.57");
    expect(formatUsd(12.34567)).toBe("$12.35");
    expect(formatUsd(0.36000000000000004)).toBe("$0.36");
    expect(formatUsd(0.4)).toBe("$0.40");
    expect(formatUsd(0.0325)).toBe("$0.0325");
    expect(formatUsd(0.125)).toBe("$0.125");
    expect(formatUsd(0.0042)).toBe("$0.0042");
    expect(formatUsd(0.0123456)).toBe("$0.0123");
    expect(formatUsd(0.000015)).toBe("$0.000015");
    expect(formatUsd(3e-7)).toBe("$0.0000003");
    expect(formatUsd(-0.5)).toBe("-$0.50");
    expect(formatUsd(0)).toBe("$0");
  });
});
