import { requireCount } from "./validate.js";

/** What was observed of one conversation at one turn. */
export const TURN_OBSERVATION = { passed: 0, failed: 1, missing: 2 } as const;
export type TurnObservation = (typeof TURN_OBSERVATION)[keyof typeof TURN_OBSERVATION];

export interface KaplanMeierPoint {
  readonly turn: number;
  /** Conversations still unfailed and observed at this turn. */
  readonly atRisk: number;
  readonly failed: number;
  /** Conversations leaving the risk set here because this turn has no score (error, unscored, not reached). */
  readonly censored: number;
  /**
   * Estimated share of conversations not failed by the end of this turn. Null only when it is unknown: the risk set
   * emptied through censoring while the estimate was above 0. Once every conversation has failed it is 0 for every
   * later turn (nobody left to survive), not null.
   */
  readonly survival: number | null;
}

/**
 * Kaplan–Meier estimate over discrete turns. A conversation fails at its first turn scored at or below the
 * threshold; it is right-censored at its first turn without a score (it leaves the risk set there and later turns
 * are ignored, since whether it would have failed is unknown). S(t) = Π_{s ≤ t} (1 − failed_s / atRisk_s).
 *
 * `observations(conversation, turn)` reads the observation; conversations are 0..count−1. A RangeError when count
 * or turns is not a non-negative integer, or an observation is not one of TURN_OBSERVATION.
 */
export function kaplanMeier(
  count: number,
  turns: number,
  observations: (conversation: number, turn: number) => TurnObservation,
): KaplanMeierPoint[] {
  requireCount(count, "kaplanMeier", "count");
  requireCount(turns, "kaplanMeier", "turns");
  const leftAt = new Int32Array(count).fill(-1);
  const points: KaplanMeierPoint[] = [];
  let survival: number | null = 1;
  for (let turn = 0; turn < turns; turn += 1) {
    let atRisk = 0;
    let failed = 0;
    let censored = 0;
    for (let conversation = 0; conversation < count; conversation += 1) {
      if (leftAt[conversation] !== -1) continue;
      const observation = observations(conversation, turn);
      if (
        observation !== TURN_OBSERVATION.passed &&
        observation !== TURN_OBSERVATION.failed &&
        observation !== TURN_OBSERVATION.missing
      ) {
        throw new RangeError(
          `kaplanMeier: observation of conversation ${conversation} at turn ${turn} is ${String(observation)}, not one of TURN_OBSERVATION`,
        );
      }
      if (observation === TURN_OBSERVATION.missing) {
        censored += 1;
        leftAt[conversation] = turn;
        continue;
      }
      atRisk += 1;
      if (observation === TURN_OBSERVATION.failed) {
        failed += 1;
        leftAt[conversation] = turn;
      }
    }
    // 0 stays 0 (every conversation failed: none can survive later); with survivors left, an empty risk set means
    // every one was censored, and the estimate beyond is unknown.
    if (survival !== null && survival !== 0) survival = atRisk === 0 ? null : survival * (1 - failed / atRisk);
    points.push({ turn, atRisk, failed, censored, survival });
  }
  return points;
}
