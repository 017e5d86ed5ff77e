import factorialln from "@stdlib/math-base-special-factorialln";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { requireCount, requireUnitInterval } from "./validate.js";

const TABLE_SIZE = 1 << 18;
let logFactorials: Float64Array | undefined;
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/**
 * log(k!): a table up to 2^18 (built on first use from stdlib's factorialln at every 256th entry, log(k) sums in
 * between, so the accumulated rounding stays below 1e-12), Stirling's series above (error < 1e-15 relative).
 */
function logFactorial(k: number): number {
  if (k < TABLE_SIZE) {
    logFactorials ??= buildTable();
    return logFactorials[k] ?? Number.NaN;
  }
  const inverse = 1 / k;
  const inverseSquared = inverse * inverse;
  return (
    (k + 0.5) * Math.log(k) -
    k +
    HALF_LOG_TWO_PI +
    inverse * (1 / 12 - inverseSquared * (1 / 360 - inverseSquared / 1260))
  );
}

function buildTable(): Float64Array {
  const table = new Float64Array(TABLE_SIZE);
  for (let k = 0; k < TABLE_SIZE; k += 1) table[k] = k % 256 === 0 ? factorialln(k) : (table[k - 1] ?? 0) + Math.log(k);
  return table;
}

/** Draws Binomial(trials, probability) variates from a seeded stream. */
export type BinomialSampler = (trials: number, probability: number) => number;

/**
 * A seeded binomial sampler (xoroshiro128+ from pure-rand for the uniforms). Exact methods, as NumPy and
 * TensorFlow use them: inversion (Kachitvichyanukul & Schmeiser's BINV) when n·min(p, 1−p) < 10, else Hörmann's
 * BTRS transformed rejection with squeeze (1993).
 * Uniforms have 32-bit resolution. Written by hand because @stdlib/random-base-binomial 0.2.2 is
 * biased in its rejection branch (see docs/decisions/0006-bootstrap.md).
 * The draw throws a RangeError unless trials is a non-negative integer and probability a number in [0, 1]: with NaN
 * or an infinite number of trials, both methods would loop forever.
 */
export function binomialSampler(seed: number): BinomialSampler {
  const generator = xoroshiro128plus(seed);
  // One 32-bit output per uniform (resolution 2^-32 is ample for inversion and rejection; twice as fast as 53 bits).
  const uniform = (): number => (generator.next() >>> 0) * 2.3283064365386963e-10;
  return (trials, probability) => {
    requireCount(trials, "binomialSampler", "trials");
    requireUnitInterval(probability, "binomialSampler", "probability");
    if (trials === 0 || probability === 0) return 0;
    if (probability >= 1) return trials;
    const flipped = probability > 0.5;
    const p = flipped ? 1 - probability : probability;
    const draw = trials * p < 10 ? inversion(trials, p, uniform) : transformedRejection(trials, p, uniform);
    return flipped ? trials - draw : draw;
  };
}

/** BINV: walk the pmf from 0 with the recurrence f(x) = f(x−1)·((n+1)s/x − s), s = p/q. Expected O(np) steps. */
function inversion(n: number, p: number, uniform: () => number): number {
  const q = 1 - p;
  const s = p / q;
  const a = (n + 1) * s;
  const start = Math.exp(n * Math.log(q));
  for (;;) {
    let r = start;
    let u = uniform();
    let x = 0;
    while (u > r) {
      u -= r;
      x += 1;
      if (x > n) break;
      r *= a / x - s;
    }
    if (x <= n) return x;
  }
}

/** BTRS (Hörmann 1993, "The generation of binomial random variates"), for n·p ≥ 10 and p ≤ 0.5. */
function transformedRejection(n: number, p: number, uniform: () => number): number {
  const q = 1 - p;
  const spq = Math.sqrt(n * p * q);
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const vr = 0.92 - 4.2 / b;
  const alpha = (2.83 + 5.1 / b) * spq;
  const lpq = Math.log(p / q);
  const m = Math.floor((n + 1) * p);
  const h = logFactorial(m) + logFactorial(n - m);
  for (;;) {
    const u = uniform() - 0.5;
    let v = uniform();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && v <= vr) return k;
    v = Math.log((v * alpha) / (a / (us * us) + b));
    if (v <= h - logFactorial(k) - logFactorial(n - k) + (k - m) * lpq) return k;
  }
}
