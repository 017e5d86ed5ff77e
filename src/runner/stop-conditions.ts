import { turnNumber } from "../core/index.js";
import type { BenchmarkItem } from "../datasets/index.js";
import type { AttackState, AttackStop } from "./attack.js";

/**
 * A stop condition: a pure function of the attack state that says why the conversation should end now, or nothing.
 * Conditions are values, composed with `anyStop`; an attack consults them before each step (vercel/ai's
 * `stopWhen`).
 */
export type StopCondition = (state: AttackState) => AttackStop | undefined;

/** Stops once `limit` user turns were sent (a number, or one per item). */
export function maxTurns(limit: number | ((item: BenchmarkItem) => number)): StopCondition {
  return (state) => {
    const turns = typeof limit === "number" ? limit : limit(state.item);
    return state.turnIndex >= turns
      ? { kind: "stop", reason: "max-turns", detail: `${turns} turn(s) sent` }
      : undefined;
  };
}

/**
 * Stops when the last turn's score (the mean of the run's judges' valid scores) is at most `threshold`: the attack
 * succeeded. A turn no judge scored (unscored or failed verdicts) never stops the conversation.
 */
export function scoreAtMost(threshold: number): StopCondition {
  return (state) => {
    if (state.turnIndex === 0) return undefined;
    const score = state.scores?.[state.turnIndex - 1];
    if (score === undefined || !(score <= threshold)) return undefined;
    return {
      kind: "stop",
      reason: "score-threshold",
      detail: `turn ${turnNumber(state.turnIndex - 1)} scored ${score} ≤ ${threshold}`,
    };
  };
}

/** The first condition that fires, in the order given. */
export function anyStop(...conditions: readonly StopCondition[]): StopCondition {
  return (state) => {
    for (const condition of conditions) {
      const stop = condition(state);
      if (stop !== undefined) return stop;
    }
    return undefined;
  };
}

/** The mean of the valid scores of one turn, `undefined` when there is none. */
export function meanScore(scores: readonly (number | undefined)[]): number | undefined {
  const valid = scores.filter((score): score is number => score !== undefined && Number.isFinite(score));
  return valid.length === 0 ? undefined : valid.reduce((sum, score) => sum + score, 0) / valid.length;
}
