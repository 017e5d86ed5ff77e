/** Average ranks and the tie term every rank-based test needs. */
export interface Ranking {
  /** 1-based ranks in input order; tied values share the mean of their positions. */
  readonly ranks: Float64Array;
  /** Σ(t³ − t) over groups of t tied values (0 without ties). */
  readonly tieTerm: number;
}

/** Ranks the values (average ranks for ties), as scipy.stats.rankdata(method="average"). */
export function averageRanks(values: readonly number[]): Ranking {
  const order = values.map((value, index) => ({ value, index })).sort((left, right) => left.value - right.value);
  const ranks = new Float64Array(values.length);
  let tieTerm = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]?.value === order[start]?.value) end += 1;
    const averageRank = (start + end) / 2 + 1;
    for (let position = start; position <= end; position += 1) ranks[order[position]?.index ?? 0] = averageRank;
    const size = end - start + 1;
    tieTerm += size ** 3 - size;
    start = end + 1;
  }
  return { ranks, tieTerm };
}
