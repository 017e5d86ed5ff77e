import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { describe, expect, it } from "vitest";
import { plannedSampleSize, WithoutReplacementConfidenceSequence } from "./confidence-sequence.js";
import { stratifiedOrder } from "./stratified-order.js";

/**
 * The coverage simulation (issue 15, item 6): finite populations with known pass rates, drawn in the stratified
 * seeded order the runner uses, each run stopped as precision-driven sampling stops a target (half-width ≤ the
 * precision and at least the minimum sample, or the population exhausted), with the bets tuned to the planned sample
 * size the runner derives from the precision (`plannedSampleSize`). The interval at the stopping time must hold the
 * true finite-population rate in at least 95 % of runs, for every scenario. The "full-set Wald" scenarios stop at the
 * half-width a fixed-sample 95 % Wald interval has on all N (what a user asking for "the same precision as the whole
 * benchmark" asks) and report the mean fraction of N used, with the tuned bets and with the time-uniform ones.
 */
interface Stratum {
  readonly size: number;
  readonly rate: number;
}

interface Scenario {
  readonly name: string;
  readonly strata: readonly Stratum[];
  readonly precision: number;
  readonly minSample: number;
  /** The most mean fraction of N the tuned runs may use (the full-set Wald scenarios). */
  readonly maxFraction?: number;
}

const RUNS = 1000;
const simple = (rate: number): Scenario => ({
  name: `one stratum, rate ${rate}`,
  strata: [{ size: 1000, rate }],
  precision: 0.05,
  minSample: 50,
});
const balanced = (name: string, strata: readonly Stratum[]): Scenario => ({
  name,
  strata,
  precision: 0.07,
  minSample: 50,
});
const SCENARIOS: readonly Scenario[] = [
  simple(0.01),
  simple(0.05),
  balanced("one stratum, rate 0.5", [{ size: 1000, rate: 0.5 }]),
  simple(0.95),
  simple(0.99),
  balanced("three strata, rates 0.02 / 0.5 / 0.97", [
    { size: 300, rate: 0.02 },
    { size: 200, rate: 0.5 },
    { size: 500, rate: 0.97 },
  ]),
  balanced("two strata, rates 0 / 1 (the extreme)", [
    { size: 400, rate: 0 },
    { size: 600, rate: 1 },
  ]),
  {
    name: "24 small strata, rates from 0 to 1",
    strata: Array.from({ length: 24 }, (_, index) => ({ size: 25 + (index % 5) * 10, rate: index / 23 })),
    precision: 0.07,
    minSample: 100,
  },
  fullSetWald("full-set Wald, N 1,200, rate 0.6", [{ size: 1200, rate: 0.6 }], 0.7),
  fullSetWald("full-set Wald, N 1,200, rate 0.05", [{ size: 1200, rate: 0.05 }], 0.75),
  fullSetWald(
    "full-set Wald, N 1,200, three strata 0.3 / 0.6 / 0.9",
    [
      { size: 400, rate: 0.3 },
      { size: 400, rate: 0.6 },
      { size: 400, rate: 0.9 },
    ],
    0.7,
  ),
];

/** Stops at the half-width of a 95 % Wald interval on all N: 1.96·√(p(1 − p)/N). */
function fullSetWald(name: string, strata: readonly Stratum[], maxFraction: number): Scenario {
  const size = strata.reduce((sum, stratum) => sum + stratum.size, 0);
  const rate = strata.reduce((sum, stratum) => sum + Math.round(stratum.rate * stratum.size), 0) / size;
  return { name, strata, precision: 1.96 * Math.sqrt((rate * (1 - rate)) / size), minSample: 100, maxFraction };
}

interface Outcome {
  readonly covered: number;
  readonly stoppedEarly: number;
  readonly meanSample: number;
  /** meanSample / N. */
  readonly fraction: number;
}

function simulate(scenario: Scenario, seed: number, tuned = true): Outcome {
  const generator = xoroshiro128plus(seed);
  const keys: string[] = [];
  const values: number[] = [];
  scenario.strata.forEach((stratum, index) => {
    const passes = Math.round(stratum.rate * stratum.size);
    for (let member = 0; member < stratum.size; member += 1) {
      keys.push(`s${index}`);
      values.push(member < passes ? 1 : 0);
    }
  });
  const truth = values.reduce((sum, value) => sum + value, 0) / values.length;
  let covered = 0;
  let stoppedEarly = 0;
  let sampled = 0;
  for (let run = 0; run < RUNS; run += 1) {
    const order = stratifiedOrder(keys, uniformInt(generator, 0, 0x7fffffff));
    const sequence = new WithoutReplacementConfidenceSequence({
      populationSize: values.length,
      ...(tuned ? { plannedSampleSize: plannedSampleSize(values.length, scenario.precision) } : {}),
    });
    for (const index of order) {
      sequence.observe(values[index] ?? 0);
      const interval = sequence.interval();
      if (interval.halfWidth <= scenario.precision && interval.n >= scenario.minSample) break;
    }
    const interval = sequence.interval();
    if (interval.low <= truth && truth <= interval.high) covered += 1;
    if (interval.n < values.length) stoppedEarly += 1;
    sampled += interval.n;
  }
  return {
    covered: covered / RUNS,
    stoppedEarly: stoppedEarly / RUNS,
    meanSample: sampled / RUNS,
    fraction: sampled / RUNS / values.length,
  };
}

const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;

describe("confidence sequence coverage at the precision stopping time (stratified order)", () => {
  const results: string[] = [];
  SCENARIOS.forEach((scenario, index) => {
    it(`${scenario.name}: ≥ 95 % of ${RUNS} runs cover the true rate`, () => {
      const outcome = simulate(scenario, 1000 + index);
      const size = scenario.strata.reduce((sum, stratum) => sum + stratum.size, 0);
      let line = `${scenario.name} (± ${scenario.precision.toFixed(4)}): coverage ${percent(outcome.covered)}, stopped early ${percent(outcome.stoppedEarly)}, mean sample ${outcome.meanSample.toFixed(0)} / ${size} (${percent(outcome.fraction)} of N)`;
      if (scenario.maxFraction !== undefined) {
        // The same runs with the time-uniform bets, for comparison (and they must cover too).
        const uniform = simulate(scenario, 1000 + index, false);
        line += `; time-uniform bets: coverage ${percent(uniform.covered)}, ${percent(uniform.fraction)} of N`;
        expect(uniform.covered).toBeGreaterThanOrEqual(0.95);
        expect(outcome.fraction).toBeLessThanOrEqual(scenario.maxFraction);
        expect(outcome.fraction).toBeLessThan(uniform.fraction);
      }
      results.push(line);
      // The runs must actually stop early, or the check would pass vacuously (all N draws give the exact rate).
      expect(outcome.stoppedEarly).toBeGreaterThan(0.9);
      expect(outcome.covered).toBeGreaterThanOrEqual(0.95);
      // A few seconds each here; the full-set scenarios run twice as many draws (both bets) on a shared machine.
    }, 300_000);
  });
  it("prints the observed coverages", () => {
    // Read by a person checking the simulation; the assertions are above.
    process.stdout.write(`${results.join("\n")}\n`);
    expect(results).toHaveLength(SCENARIOS.length);
  });
});
