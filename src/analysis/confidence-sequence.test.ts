import { describe, expect, it } from "vitest";
import { plannedSampleSize, WithoutReplacementConfidenceSequence } from "./confidence-sequence.js";

function observeAll(sequence: WithoutReplacementConfidenceSequence, values: readonly number[]): void {
  for (const value of values) sequence.observe(value);
}

describe("WithoutReplacementConfidenceSequence", () => {
  it("is [0, 1] before any draw", () => {
    const interval = new WithoutReplacementConfidenceSequence({ populationSize: 10 }).interval();
    expect(interval).toMatchObject({ low: 0, high: 1, halfWidth: 0.5, n: 0 });
    expect(interval.sampleMean).toBeNaN();
  });

  it("after one draw of 1 from N = 2 the mean is 1/2 or 1 (consistency), and the bets cannot exclude 1/2 yet", () => {
    const sequence = new WithoutReplacementConfidenceSequence({ populationSize: 2 });
    sequence.observe(1);
    // The remaining value is 0 or 1: the mean is 0.5 or 1; one draw cannot give capital 2/α = 40.
    expect(sequence.interval()).toMatchObject({ low: 0.5, high: 1, n: 1, sampleMean: 1 });
  });

  it("all ones: the lower bound climbs towards 1 and the upper bound stays 1", () => {
    const sequence = new WithoutReplacementConfidenceSequence({ populationSize: 1000 });
    observeAll(
      sequence,
      Array.from({ length: 200 }, () => 1),
    );
    const interval = sequence.interval();
    expect(interval.high).toBe(1);
    expect(interval.low).toBeGreaterThan(0.9);
    expect(interval.low).toBeLessThan(1);
  });

  it("all zeros: the upper bound falls towards 0 and the lower bound stays 0", () => {
    const sequence = new WithoutReplacementConfidenceSequence({ populationSize: 1000 });
    observeAll(
      sequence,
      Array.from({ length: 200 }, () => 0),
    );
    const interval = sequence.interval();
    expect(interval.low).toBe(0);
    expect(interval.high).toBeLessThan(0.1);
    expect(interval.high).toBeGreaterThan(0);
  });

  it("after all N draws the interval is the exact mean (binary values, lattice grid)", () => {
    const values = [1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1];
    const sequence = new WithoutReplacementConfidenceSequence({ populationSize: values.length });
    observeAll(sequence, values);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(sequence.interval()).toMatchObject({ low: mean, high: mean, halfWidth: 0 });
  });

  it("after all N draws the interval is the exact mean (N above the grid: the consistency bounds pin it)", () => {
    const values = Array.from({ length: 30 }, (_, index) => (index % 3 === 0 ? 0 : 1));
    const sequence = new WithoutReplacementConfidenceSequence({ populationSize: 30, maxGridSteps: 7 });
    observeAll(sequence, values);
    expect(sequence.interval().low).toBeCloseTo(20 / 30, 12);
    expect(sequence.interval().high).toBeCloseTo(20 / 30, 12);
  });

  it("after all N draws of values inside (0, 1) the interval is the exact mean", () => {
    const values = [0.2, 0.7, 0.5, 0.9, 0.1, 0.4];
    const sequence = new WithoutReplacementConfidenceSequence({ populationSize: values.length });
    observeAll(sequence, values);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(sequence.interval().low).toBeCloseTo(mean, 12);
    expect(sequence.interval().high).toBeCloseTo(mean, 12);
  });

  it("its width never grows (running intersection), bounds stay inside [0, 1] and hold the population mean", () => {
    // A fixed shuffled population of 400 with 300 ones.
    const values = Array.from({ length: 400 }, (_, index) => ((index * 7919) % 400 < 300 ? 1 : 0));
    const sequence = new WithoutReplacementConfidenceSequence({ populationSize: 400 });
    let previous = sequence.interval();
    for (const value of values) {
      sequence.observe(value);
      const interval = sequence.interval();
      expect(interval.low).toBeGreaterThanOrEqual(previous.low);
      expect(interval.high).toBeLessThanOrEqual(previous.high);
      expect(interval.low).toBeGreaterThanOrEqual(0);
      expect(interval.high).toBeLessThanOrEqual(1);
      expect(interval.low).toBeLessThanOrEqual(0.75);
      expect(interval.high).toBeGreaterThanOrEqual(0.75);
      previous = interval;
    }
    expect(previous.halfWidth).toBe(0);
  });

  it("narrows as it samples: half-width below 0.12 after 300 of 1,000 balanced draws", () => {
    const values = Array.from({ length: 300 }, (_, index) => index % 2);
    const sequence = new WithoutReplacementConfidenceSequence({ populationSize: 1000 });
    observeAll(sequence, values.slice(0, 50));
    const early = sequence.interval().halfWidth;
    observeAll(sequence, values.slice(50));
    const late = sequence.interval().halfWidth;
    expect(late).toBeLessThan(early);
    expect(late).toBeLessThan(0.12);
  });

  it("a large population (50,000, fine grid) is handled, and its interval still holds the sample's mean", () => {
    const sequence = new WithoutReplacementConfidenceSequence({ populationSize: 50_000 });
    for (let index = 0; index < 5000; index += 1) sequence.observe(index % 10 === 0 ? 0 : 1);
    const interval = sequence.interval();
    expect(interval.low).toBeLessThan(0.9);
    expect(interval.high).toBeGreaterThan(0.9);
    expect(interval.halfWidth).toBeLessThan(0.02);
  });

  it("rejects values outside [0, 1], more than N draws and bad settings", () => {
    const sequence = new WithoutReplacementConfidenceSequence({ populationSize: 1 });
    expect(() => sequence.observe(1.5)).toThrow(RangeError);
    expect(() => sequence.observe(Number.NaN)).toThrow(RangeError);
    sequence.observe(1);
    expect(() => sequence.observe(1)).toThrow(/all N values/);
    expect(() => new WithoutReplacementConfidenceSequence({ populationSize: 0 })).toThrow(RangeError);
    expect(() => new WithoutReplacementConfidenceSequence({ populationSize: 5, alpha: 1 })).toThrow(RangeError);
    expect(() => new WithoutReplacementConfidenceSequence({ populationSize: 5, plannedSampleSize: 0.5 })).toThrow(
      /plannedSampleSize/,
    );
    expect(
      () =>
        new WithoutReplacementConfidenceSequence({ populationSize: 5, plannedSampleSize: Number.POSITIVE_INFINITY }),
    ).toThrow(RangeError);
  });
});

describe("bets tuned to a planned sample size", () => {
  // 1,200 values, 720 ones (rate 0.6), in a fixed shuffled order.
  const values = Array.from({ length: 1200 }, (_, index) => ((index * 7919) % 1200 < 720 ? 1 : 0));

  it("plannedSampleSize is the n of a without-replacement Wald interval at rate ½ with that half-width", () => {
    // 1,200 / (1 + 1,200 · 0.0277² / (1.96² · ¼)) ≈ 613.
    expect(plannedSampleSize(1200, 0.0277)).toBeCloseTo(613, 0);
    expect(plannedSampleSize(1000, 0.5)).toBeGreaterThanOrEqual(1);
    expect(plannedSampleSize(1000, 0.5)).toBeLessThan(5);
    expect(plannedSampleSize(1000, 1e-6)).toBeCloseTo(1000, 0);
    expect(plannedSampleSize(1000, 0)).toBe(1000);
  });

  it("is narrower around n* than the time-uniform bets on the same draws, and still holds the mean", () => {
    const uniform = new WithoutReplacementConfidenceSequence({ populationSize: 1200 });
    const tuned = new WithoutReplacementConfidenceSequence({
      populationSize: 1200,
      plannedSampleSize: plannedSampleSize(1200, 0.0277),
    });
    let previous = tuned.interval();
    for (const value of values.slice(0, 700)) {
      uniform.observe(value);
      tuned.observe(value);
      const interval = tuned.interval();
      expect(interval.low).toBeGreaterThanOrEqual(previous.low);
      expect(interval.high).toBeLessThanOrEqual(previous.high);
      expect(interval.low).toBeLessThanOrEqual(0.6);
      expect(interval.high).toBeGreaterThanOrEqual(0.6);
      previous = interval;
    }
    expect(tuned.interval().halfWidth).toBeLessThan(uniform.interval().halfWidth * 0.9);
    for (const value of values.slice(700)) tuned.observe(value);
    expect(tuned.interval()).toMatchObject({ low: 0.6, high: 0.6, halfWidth: 0 });
  });
});
