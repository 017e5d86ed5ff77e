import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Usage } from "../core/index.js";
import type { Price } from "./prices/prices.js";
import { callCost } from "./pricing.js";

const PARAMETERS = { seed: 15, numRuns: 500 };

const tokens = fc.integer({ min: 0, max: 5_000_000 });
const usd = fc.double({ min: 0, max: 200, noNaN: true, noDefaultInfinity: true });

/** A price whose cache read is at most its input (what `priceSchema` accepts). */
const priceArbitrary: fc.Arbitrary<Price> = fc
  .record({
    input: usd,
    output: usd,
    readShare: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
    cacheWrite: fc.option(usd, { nil: undefined }),
    batchDiscount: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
  })
  .map(({ input, output, readShare, cacheWrite, batchDiscount }) => ({
    input,
    output,
    ...(readShare === undefined ? {} : { cachedInput: input * readShare }),
    ...(cacheWrite === undefined ? {} : { cacheWrite }),
    ...(batchDiscount === undefined ? {} : { batchDiscount }),
  }));

/** Usage as providers report it: cache reads and writes are part of the input. */
const usageArbitrary: fc.Arbitrary<Usage> = fc
  .record({
    input: tokens,
    output: tokens,
    readShare: fc.double({ min: 0, max: 1, noNaN: true }),
    writeShare: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ input, output, readShare, writeShare }) => {
    const cachedInputTokens = Math.floor(input * readShare);
    const cacheWriteTokens = Math.floor((input - cachedInputTokens) * writeShare);
    return { inputTokens: input, outputTokens: output, cachedInputTokens, cacheWriteTokens };
  });

const PLAIN = { batched: false, cached: false };
const tolerance = (value: number): number => 1e-9 * Math.max(1, Math.abs(value));

describe("callCost (property)", () => {
  it("is never negative and is 0 for a response-cache hit", () => {
    fc.assert(
      fc.property(usageArbitrary, priceArbitrary, fc.boolean(), (usage, price, batched) => {
        expect(callCost(usage, price, { batched, cached: false })).toBeGreaterThanOrEqual(0);
        expect(callCost(usage, price, { batched, cached: true })).toBe(0);
      }),
      PARAMETERS,
    );
  });

  it("never falls when more input or output tokens are used", () => {
    fc.assert(
      fc.property(usageArbitrary, priceArbitrary, tokens, tokens, (usage, price, moreInput, moreOutput) => {
        const larger = {
          ...usage,
          inputTokens: usage.inputTokens + moreInput,
          outputTokens: usage.outputTokens + moreOutput,
        };
        const before = callCost(usage, price, PLAIN);
        expect(callCost(larger, price, PLAIN)).toBeGreaterThanOrEqual(before - tolerance(before));
      }),
      PARAMETERS,
    );
  });

  it("a batched call costs no more than the same call unbatched", () => {
    fc.assert(
      fc.property(usageArbitrary, priceArbitrary, (usage, price) => {
        const unbatched = callCost(usage, price, PLAIN);
        expect(callCost(usage, price, { batched: true, cached: false })).toBeLessThanOrEqual(
          unbatched + tolerance(unbatched),
        );
      }),
      PARAMETERS,
    );
  });

  it("input read from the prompt cache costs no more than the same input at full price", () => {
    fc.assert(
      fc.property(usageArbitrary, priceArbitrary, (usage, price) => {
        const { cachedInputTokens: _reads, ...uncached } = usage;
        const full = callCost(uncached, price, PLAIN);
        expect(callCost(usage, price, PLAIN)).toBeLessThanOrEqual(full + tolerance(full));
      }),
      PARAMETERS,
    );
  });

  it("is linear: the sum of the parts at their prices, per million tokens", () => {
    fc.assert(
      fc.property(usageArbitrary, priceArbitrary, (usage, price) => {
        const reads = usage.cachedInputTokens ?? 0;
        const writes = usage.cacheWriteTokens ?? 0;
        const expected =
          ((usage.inputTokens - reads - writes) * price.input +
            reads * (price.cachedInput ?? price.input) +
            writes * (price.cacheWrite ?? price.input) +
            usage.outputTokens * price.output) /
          1e6;
        const actual = callCost(usage, price, PLAIN);
        expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance(expected));
      }),
      PARAMETERS,
    );
  });
});
