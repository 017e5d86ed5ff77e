import { bootstrapMeans, bootstrapRateInterval, Histogram, kaplanMeier, percentileInterval, TURN_OBSERVATION, type BootstrapOptions } from "../analysis/index.js";
import type { ConversationGroup, DeltaWithCi, Distribution, GroupDimension, GroupTurn } from "./multi-turn-model.js";
import { TURN_STATE, type TargetColumn, type TurnTable } from "./turn-table.js";

/** Conversations of a group: for each member target, the items it answered. */
export type GroupMembers = ReadonlyArray<{ readonly target: TargetColumn; readonly items: Int32Array }>;

/** A group's summary, with its conversation scores and their bootstrap means (for comparisons). */
export interface ComputedGroup {
  readonly summary: ConversationGroup;
  readonly conversationScores: Histogram;
  readonly bootstrapMeans: Float64Array | null;
}

export interface GroupContext {
  readonly table: TurnTable;
  readonly passThreshold: number;
  readonly bootstrap: BootstrapOptions;
}

/** The mean of a conversation's scored turns; NaN when none is scored (precomputed in the turn table). */
export function conversationScore(target: TargetColumn, item: number): number {
  return target.conversationScores[item] ?? Number.NaN;
}

export function summariseGroup(context: GroupContext, targetId: string | null, dimension: GroupDimension, group: string, members: GroupMembers): ComputedGroup {
  const { table, passThreshold, bootstrap } = context;
  const key = `${targetId ?? "*"}|${dimension}|${group}`;
  const turns = table.turns;
  const perTurn = Array.from({ length: turns }, () => ({ scores: [] as number[], declines: [] as number[], unscored: 0, errors: 0, notReached: 0 }));
  const conversationValues: number[] = [];
  const allScores: number[] = [];
  let conversations = 0;
  let complete = 0;
  let passed = 0;
  const observations: number[][] = [];
  for (const { target, items } of members) {
    for (const item of items) {
      conversations += 1;
      const count = table.turnCounts[item] ?? 0;
      let scoredTurns = 0;
      let allPass = true;
      const observed: number[] = [];
      const first = target.states[item * turns] === TURN_STATE.scored ? (target.scores[item * turns] ?? Number.NaN) : Number.NaN;
      for (let turn = 0; turn < turns; turn += 1) {
        const slot = perTurn[turn];
        if (slot === undefined) continue;
        if (turn >= count) {
          observed.push(TURN_OBSERVATION.missing);
          continue;
        }
        const state = target.states[item * turns + turn];
        const score = target.scores[item * turns + turn] ?? Number.NaN;
        if (state === TURN_STATE.scored) {
          slot.scores.push(score);
          allScores.push(score);
          if (turn > 0 && !Number.isNaN(first)) slot.declines.push(score - first);
          scoredTurns += 1;
          if (!(score > passThreshold)) allPass = false;
          observed.push(score > passThreshold ? TURN_OBSERVATION.passed : TURN_OBSERVATION.failed);
        } else {
          if (state === TURN_STATE.unscored) slot.unscored += 1;
          else if (state === TURN_STATE.error) slot.errors += 1;
          else slot.notReached += 1;
          observed.push(TURN_OBSERVATION.missing);
        }
      }
      observations.push(observed);
      const conversationMean = conversationScore(target, item);
      if (!Number.isNaN(conversationMean)) conversationValues.push(conversationMean);
      if (scoredTurns === count && count > 0) {
        complete += 1;
        if (allPass) passed += 1;
      }
    }
  }
  const conversationHistogram = Histogram.of(conversationValues);
  const estimates = bootstrapMeans(conversationHistogram, bootstrap, `${key}|conversation`);
  const groupTurns = perTurn.map((slot, turn): GroupTurn => ({
    turn,
    ...distribution(Histogram.of(slot.scores), bootstrap, `${key}|turn${turn}`),
    unscored: slot.unscored, errors: slot.errors, notReached: slot.notReached,
    decline: turn === 0 ? null : delta(Histogram.of(slot.declines), bootstrap, `${key}|decline${turn}`),
  }));
  const passInterval = bootstrapRateInterval(passed, complete, bootstrap, `${key}|pass`);
  const summary: ConversationGroup = {
    targetId, dimension, group, conversations,
    conversationScore: distribution(conversationHistogram, bootstrap, "", estimates),
    allTurns: {
      ...distribution(Histogram.of(allScores), bootstrap, `${key}|all`),
      unscored: groupTurns.reduce((sum, turn) => sum + turn.unscored, 0),
      errors: groupTurns.reduce((sum, turn) => sum + turn.errors, 0),
    },
    turns: groupTurns,
    safetyPassRate: { n: complete, count: passed, rate: complete === 0 ? null : passed / complete, ciLow: passInterval?.low ?? null, ciHigh: passInterval?.high ?? null },
    survival: kaplanMeier(observations.length, turns, (conversation, turn) => (observations[conversation]?.[turn] ?? TURN_OBSERVATION.missing) as 0 | 1 | 2),
  };
  return { summary, conversationScores: conversationHistogram, bootstrapMeans: estimates };
}

/** n, mean, median, quartiles and the bootstrap interval of the mean (from `estimates` when already drawn). */
export function distribution(histogram: Histogram, bootstrap: BootstrapOptions, key: string, estimates?: Float64Array | null): Distribution {
  const drawn = estimates === undefined ? bootstrapMeans(histogram, bootstrap, key) : estimates;
  const interval = drawn === null ? null : percentileInterval(Float64Array.from(drawn), bootstrap.confidence);
  const q1 = histogram.quantile(0.25);
  const q3 = histogram.quantile(0.75);
  return {
    n: histogram.n, mean: histogram.mean(), median: histogram.quantile(0.5), q1, q3,
    iqr: q1 === null || q3 === null ? null : q3 - q1, ciLow: interval?.low ?? null, ciHigh: interval?.high ?? null,
  };
}

export function delta(histogram: Histogram, bootstrap: BootstrapOptions, key: string): DeltaWithCi {
  const drawn = bootstrapMeans(histogram, bootstrap, key);
  const interval = drawn === null ? null : percentileInterval(drawn, bootstrap.confidence);
  return { n: histogram.n, mean: histogram.mean(), ciLow: interval?.low ?? null, ciHigh: interval?.high ?? null };
}
