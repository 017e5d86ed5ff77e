import { requireFinite } from "./validate.js";

/** Average ranks and the tie term every rank-based test needs. */
export interface Ranking {
  /** 1-based ranks in input order; tied values share the mean of their positions. */
  readonly ranks: Float64Array;
  /** Σ(t³ − t) over groups of t tied values (0 without ties). */
  readonly tieTerm: number;
}

/**
 * Ranks the values (average ranks for ties), as scipy.stats.rankdata(method="average"). The values are sorted as a
 * Float64Array (native numeric sort, no comparator calls) and each distinct value's average rank is looked up:
 * reports rank hundreds of thousands of scores that take a few dozen distinct values. Throws a RangeError for a
 * non-finite value (NaN has no rank).
 */
export function averageRanks(values: ArrayLike<number>): Ranking {
  requireFinite(values, "averageRanks");
  const sorted = Float64Array.from(values).sort();
  const rankOf = new Map<number, number>();
  let tieTerm = 0;
  for (let start = 0; start < sorted.length; ) {
    const value = sorted[start] ?? Number.NaN;
    let end = start;
    while (end + 1 < sorted.length && sorted[end + 1] === value) end += 1;
    rankOf.set(value, (start + end) / 2 + 1);
    const size = end - start + 1;
    tieTerm += size ** 3 - size;
    start = end + 1;
  }
  const ranks = new Float64Array(values.length);
  for (let index = 0; index < values.length; index += 1)
    ranks[index] = rankOf.get(values[index] ?? Number.NaN) ?? Number.NaN;
  return { ranks, tieTerm };
}

/**
 * Ranks of a short block (Friedman's k related values) into `ranks`, without sorting or allocating: a value's
 * average rank is 1 + (values below it) + (values equal to it, itself included, − 1) / 2. Returns the block's
 * tie term Σ(t³ − t). Throws a RangeError for a non-finite value.
 */
export function rankBlock(values: ArrayLike<number>, ranks: Float64Array): number {
  requireFinite(values, "rankBlock");
  let tieTerm = 0;
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index] ?? Number.NaN;
    let below = 0;
    let equal = 0;
    for (let other = 0; other < values.length; other += 1) {
      const candidate = values[other] ?? Number.NaN;
      if (candidate < value) below += 1;
      else if (candidate === value) equal += 1;
    }
    ranks[index] = below + (equal + 1) / 2;
    // Each of the t members of a tie group adds t² − 1, so the group adds t(t² − 1) = t³ − t.
    tieTerm += equal * equal - 1;
  }
  return tieTerm;
}
