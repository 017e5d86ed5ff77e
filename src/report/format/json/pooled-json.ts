import { turnNumber } from "../../../core/index.js";
import type { PooledResults } from "../../model/pooled-model.js";

/** The pooled section as the report JSON writes it: `rows[].turns[].turn` and `rows[].turnTests.pairs[].from/.to` from 1. */
export function pooledForJson(pooled: PooledResults): unknown {
  return {
    ...pooled,
    rows: pooled.rows.map((row) => ({
      ...row,
      turns: row.turns.map((turn) => ({ ...turn, turn: turnNumber(turn.turn) })),
      turnTests: {
        ...row.turnTests,
        pairs: row.turnTests.pairs.map((pair) => ({ ...pair, from: turnNumber(pair.from), to: turnNumber(pair.to) })),
      },
    })),
  };
}
