import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { bootstrapDifferenceInterval, bootstrapMeanInterval, bootstrapRateInterval } from "./bootstrap.js";
import { Histogram } from "./histogram.js";

interface Reference {
  readonly resamples: number;
  readonly one: ReadonlyArray<{ name: string; x: number[]; low: number; high: number; se: number }>;
  readonly two: ReadonlyArray<{ name: string; x: number[]; y: number[]; low: number; high: number; se: number }>;
}
const reference = JSON.parse(readFileSync(new URL("./fixtures/bootstrap.json", import.meta.url), "utf8")) as Reference;
const options = { resamples: reference.resamples, seed: 7, confidence: 0.95 };

describe("bootstrap intervals against scipy.stats.bootstrap (percentile, 200,000 resamples)", () => {
  // Two independent random streams: endpoints agree within Monte Carlo error (a few hundredths of a standard error).
  for (const sample of reference.one) {
    it(`mean: ${sample.name}`, () => {
      const interval = bootstrapMeanInterval(Histogram.of(sample.x), options, sample.name);
      expect(interval).not.toBeNull();
      expect(Math.abs((interval?.low ?? Number.NaN) - sample.low)).toBeLessThan(0.05 * sample.se);
      expect(Math.abs((interval?.high ?? Number.NaN) - sample.high)).toBeLessThan(0.05 * sample.se);
    });
  }
  for (const sample of reference.two) {
    it(`difference of independent means: ${sample.name}`, () => {
      const interval = bootstrapDifferenceInterval(
        Histogram.of(sample.x),
        Histogram.of(sample.y),
        options,
        sample.name,
      );
      expect(Math.abs((interval?.low ?? Number.NaN) - sample.low)).toBeLessThan(0.05 * sample.se);
      expect(Math.abs((interval?.high ?? Number.NaN) - sample.high)).toBeLessThan(0.05 * sample.se);
    });
  }
  it("a rate equals the mean of its 0/1 outcomes", () => {
    const sample = reference.one.find((entry) => entry.name === "pass/fail 0/1");
    const ones = sample?.x.filter((value) => value === 1).length ?? 0;
    const interval = bootstrapRateInterval(ones, sample?.x.length ?? 0, options, "rate");
    expect(Math.abs((interval?.low ?? Number.NaN) - (sample?.low ?? 0))).toBeLessThan(0.05 * (sample?.se ?? 0));
    expect(Math.abs((interval?.high ?? Number.NaN) - (sample?.high ?? 0))).toBeLessThan(0.05 * (sample?.se ?? 0));
  });
});

describe("bootstrap determinism and edge cases", () => {
  const scores = Histogram.of([0, 2.5, 3, 7, 7, 8.5, 9, 9.5, 10, 10]);
  const small = { resamples: 2000, seed: 1, confidence: 0.95 };
  it("same seed and key give the same interval; another seed or key another one", () => {
    const first = bootstrapMeanInterval(scores, small, "a");
    expect(bootstrapMeanInterval(scores, small, "a")).toEqual(first);
    expect(bootstrapMeanInterval(scores, { ...small, seed: 2 }, "a")).not.toEqual(first);
    expect(bootstrapMeanInterval(scores, small, "b")).not.toEqual(first);
  });
  it("the interval brackets the mean and lies within the data's range", () => {
    const interval = bootstrapMeanInterval(scores, small, "a");
    expect(interval?.low).toBeLessThan(scores.mean() ?? 0);
    expect(interval?.high).toBeGreaterThan(scores.mean() ?? 0);
    expect(interval?.low).toBeGreaterThanOrEqual(0);
    expect(interval?.high).toBeLessThanOrEqual(10);
  });
  it("empty samples have no interval; constant samples a point", () => {
    expect(bootstrapMeanInterval(Histogram.of([]), small, "a")).toBeNull();
    expect(bootstrapMeanInterval(Histogram.of([4, 4, 4]), small, "a")).toEqual({ low: 4, high: 4 });
    expect(bootstrapRateInterval(0, 0, small, "a")).toBeNull();
    expect(bootstrapRateInterval(5, 5, small, "a")).toEqual({ low: 1, high: 1 });
    expect(bootstrapMeanInterval(scores, { ...small, resamples: 0 }, "a")).toBeNull();
  });
  it("a wider confidence level gives a wider interval", () => {
    const narrow = bootstrapMeanInterval(scores, { ...small, confidence: 0.5 }, "a");
    const wide = bootstrapMeanInterval(scores, { ...small, confidence: 0.99 }, "a");
    expect((wide?.high ?? 0) - (wide?.low ?? 0)).toBeGreaterThan((narrow?.high ?? 0) - (narrow?.low ?? 0));
  });
});
