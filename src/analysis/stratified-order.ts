import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";

/**
 * A seeded random draw order stratified by a key (precision-driven sampling: guideline × strategy × language).
 * Each stratum's members are shuffled (Fisher–Yates, xoroshiro128+ from pure-rand), then the strata are interleaved
 * by the deficit rule: draw t (1-based) goes to the stratum h whose share of the first t draws lags most behind its
 * share of the population, max over h of t·N_h/N − n_h (ties: a seeded random rank of the strata). Every prefix of
 * the order is then as close to proportional as whole draws allow (each stratum within one draw of t·N_h/N).
 *
 * `strata[i]` is the stratum of population member i; the result lists member indexes in draw order. The same keys
 * and seed give the same order. With `ids` (member i's unique id), each stratum's members are sorted by id before
 * the shuffle, and strata are taken in sorted key order, so the order depends only on the (id, stratum) pairs and
 * the seed, not on the order the members come in (the runner's stored items and the report's table agree).
 */
export function stratifiedOrder(strata: readonly string[], seed: number, ids?: readonly string[]): number[] {
  const generator = xoroshiro128plus(seed);
  const byStratum = new Map<string, number[]>();
  strata.forEach((key, index) => {
    const members = byStratum.get(key);
    if (members === undefined) byStratum.set(key, [index]);
    else members.push(index);
  });
  const byId =
    ids === undefined
      ? undefined
      : (a: number, b: number): number => {
          const left = ids[a] ?? "";
          const right = ids[b] ?? "";
          return left < right ? -1 : left > right ? 1 : 0;
        };
  const keys = [...byStratum.keys()].sort();
  const groups = keys.map((key) => {
    const members = byStratum.get(key) ?? [];
    if (byId !== undefined) members.sort(byId);
    return shuffle(members, generator);
  });
  const rank = shuffle(
    groups.map((_, index) => index),
    generator,
  );
  const priority = new Array<number>(groups.length);
  rank.forEach((group, position) => {
    priority[group] = position;
  });
  const total = strata.length;
  const drawn = groups.map(() => 0);
  const order: number[] = [];
  for (let t = 1; t <= total; t += 1) {
    let best = -1;
    let bestDeficit = Number.NEGATIVE_INFINITY;
    for (let group = 0; group < groups.length; group += 1) {
      const members = groups[group] ?? [];
      const taken = drawn[group] ?? 0;
      if (taken >= members.length) continue;
      // t·N_h/N − n_h, scaled by N to stay in integers.
      const deficit = t * members.length - taken * total;
      if (
        deficit > bestDeficit ||
        (deficit === bestDeficit && (priority[group] ?? 0) < (priority[best] ?? Number.POSITIVE_INFINITY))
      ) {
        best = group;
        bestDeficit = deficit;
      }
    }
    const members = groups[best] ?? [];
    const taken = drawn[best] ?? 0;
    order.push(members[taken] ?? -1);
    drawn[best] = taken + 1;
  }
  return order;
}

function shuffle<T>(values: T[], generator: ReturnType<typeof xoroshiro128plus>): T[] {
  for (let index = values.length - 1; index > 0; index -= 1) {
    const other = uniformInt(generator, 0, index);
    const value = values[index] as T;
    values[index] = values[other] as T;
    values[other] = value;
  }
  return values;
}

/** The stratum of a benchmark item in precision-driven sampling: guideline × strategy × language. */
export function samplingStratum(item: {
  readonly guidelineId: string;
  readonly strategy: string;
  readonly language: string;
}): string {
  return `${item.guidelineId} × ${item.strategy} × ${item.language}`;
}

/**
 * A 32-bit seed from a run id (FNV-1a), the draw order's seed when the config sets no `samplingSeed`: a run keeps
 * its id, so its resume and its report draw the same order.
 */
export function samplingSeedOf(runId: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < runId.length; index += 1) {
    hash ^= runId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}
