import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stratifiedOrder } from "./stratified-order.js";

describe("stratifiedOrder", () => {
  it("is a permutation, the same for the same seed and another for another seed", () => {
    const strata = Array.from({ length: 60 }, (_, index) => ["a", "b", "c"][index % 3] as string);
    const order = stratifiedOrder(strata, 7);
    expect([...order].sort((x, y) => x - y)).toEqual(strata.map((_, index) => index));
    expect(stratifiedOrder(strata, 7)).toEqual(order);
    expect(stratifiedOrder(strata, 8)).not.toEqual(order);
  });

  it("keeps every prefix within one draw of proportional (hand-checked: 2 of A per 1 of B)", () => {
    const strata = [...Array.from({ length: 4 }, () => "A"), ...Array.from({ length: 2 }, () => "B")];
    const drawnStrata = stratifiedOrder(strata, 1).map((index) => strata[index]);
    // Deficits: t=1 A 4/6 vs B 2/6 → A; t=2 A 8/6−1 vs B 4/6 → B; t=3 → A (12/6−1 = 1 vs 0) ...
    expect(drawnStrata).toEqual(["A", "B", "A", "A", "B", "A"]);
  });

  it("property: each stratum's count in every prefix is within 1 of t·N_h/N", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 120 }),
        fc.integer(),
        (keys, seed) => {
          const strata = keys.map(String);
          const order = stratifiedOrder(strata, seed);
          const sizes = new Map<string, number>();
          for (const key of strata) sizes.set(key, (sizes.get(key) ?? 0) + 1);
          const counts = new Map<string, number>();
          order.forEach((index, position) => {
            const key = strata[index] as string;
            counts.set(key, (counts.get(key) ?? 0) + 1);
            const t = position + 1;
            for (const [stratum, size] of sizes) {
              expect(Math.abs((counts.get(stratum) ?? 0) - (t * size) / strata.length)).toBeLessThanOrEqual(1);
            }
          });
        },
      ),
      { seed: 15, numRuns: 200 },
    );
  });

  it("shuffles inside a stratum (a single stratum is a seeded uniform shuffle)", () => {
    const strata = Array.from({ length: 50 }, () => "only");
    const order = stratifiedOrder(strata, 3);
    expect(order).not.toEqual(strata.map((_, index) => index));
  });
});
