/**
 * The size parser against the numbers it must give: any number and unit the config accepts, with or without a
 * mixture's active part (fast-check, fixed seed), and the examples of the config's description by hand.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatParameterCount, parseParameterCount } from "./parameter-count.js";

const RUNS = { seed: 20261202, numRuns: 300 } as const;
const UNIT = { K: 1e3, M: 1e6, B: 1e9, T: 1e12 } as const;
const unit = fc.constantFrom("K", "M", "B", "T") as fc.Arbitrary<keyof typeof UNIT>;
/** A size as people write it: 1–999, with up to two decimals. */
const size = fc.record({ whole: fc.integer({ min: 1, max: 999 }), hundredths: fc.integer({ min: 0, max: 99 }) });
const written = ({ whole, hundredths }: { whole: number; hundredths: number }): string =>
  hundredths === 0 ? String(whole) : `${whole}.${String(hundredths).padStart(2, "0")}`;
const value = ({ whole, hundredths }: { whole: number; hundredths: number }, per: number): number =>
  Math.round(((whole * 100 + hundredths) * per) / 100);

describe("parseParameterCount", () => {
  it("reads the config's examples", () => {
    expect(parseParameterCount("8B")).toEqual({ total: 8e9, active: 8e9, mixtureOfExperts: false });
    expect(parseParameterCount("0.6B")).toEqual({ total: 6e8, active: 6e8, mixtureOfExperts: false });
    expect(parseParameterCount("235B-A22B")).toEqual({ total: 235e9, active: 22e9, mixtureOfExperts: true });
    expect(parseParameterCount("1.1B")?.total).toBe(1_100_000_000);
    expect(parseParameterCount("30B-A3B")).toEqual({ total: 30e9, active: 3e9, mixtureOfExperts: true });
  });

  it("gives the dense size as total and active, in whole parameters", () => {
    fc.assert(
      fc.property(size, unit, (given, u) => {
        const parsed = parseParameterCount(`${written(given)}${u}`);
        expect(parsed).toEqual({
          total: value(given, UNIT[u]),
          active: value(given, UNIT[u]),
          mixtureOfExperts: false,
        });
        expect(Number.isInteger(parsed?.total)).toBe(true);
      }),
      RUNS,
    );
  });

  it("gives a mixture's total and active parts, and refuses more active than total parameters", () => {
    fc.assert(
      fc.property(size, unit, size, unit, (total, totalUnit, active, activeUnit) => {
        const parsed = parseParameterCount(`${written(total)}${totalUnit}-A${written(active)}${activeUnit}`);
        const expectedTotal = value(total, UNIT[totalUnit]);
        const expectedActive = value(active, UNIT[activeUnit]);
        if (expectedActive > expectedTotal) expect(parsed).toBeNull();
        else expect(parsed).toEqual({ total: expectedTotal, active: expectedActive, mixtureOfExperts: true });
      }),
      RUNS,
    );
  });

  it("orders sizes as their numbers do", () => {
    fc.assert(
      fc.property(size, unit, size, unit, (a, ua, b, ub) => {
        const left = parseParameterCount(`${written(a)}${ua}`)?.total ?? Number.NaN;
        const right = parseParameterCount(`${written(b)}${ub}`)?.total ?? Number.NaN;
        expect(Math.sign(left - right)).toBe(Math.sign(value(a, UNIT[ua]) - value(b, UNIT[ub])));
      }),
      RUNS,
    );
  });

  it("is null for anything else", () => {
    for (const text of ["", "8", "B", "8b", "8 B", "-8B", "8B-", "8B-22B", "8B-A", "0B", "8B-A0B", "eight", "8X"])
      expect(parseParameterCount(text), text).toBeNull();
    fc.assert(
      fc.property(fc.string(), (text) => {
        const parsed = parseParameterCount(text);
        if (!/^\s*\d+(\.\d+)?[KMBT](-A\d+(\.\d+)?[KMBT])?\s*$/.test(text)) expect(parsed).toBeNull();
      }),
      RUNS,
    );
  });

  it("formats a count back in the same units", () => {
    expect(formatParameterCount(8e9)).toBe("8B");
    expect(formatParameterCount(6e8)).toBe("600M");
    expect(formatParameterCount(235e9)).toBe("235B");
    expect(formatParameterCount(1.5e12)).toBe("1.5T");
    fc.assert(
      fc.property(size, unit, (given, u) => {
        const total = value(given, UNIT[u]);
        // Four significant digits: within 0.05 % of the count.
        const back = parseParameterCount(formatParameterCount(total))?.total ?? Number.NaN;
        expect(Math.abs(back - total) / total).toBeLessThanOrEqual(5e-4);
      }),
      RUNS,
    );
  });
});
