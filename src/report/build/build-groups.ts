import {
  type BootstrapOptions,
  bootstrapMeans,
  bootstrapRateInterval,
  conversationOutcome,
  type Histogram,
  HistogramCounter,
  kaplanMeier,
  percentileInterval,
  SafetyPassCounter,
  TURN_OBSERVATION,
  turnPasses,
} from "../../analysis/index.js";
import type {
  ConversationGroup,
  DeltaWithCi,
  Distribution,
  GroupDimension,
  GroupTurn,
} from "../model/multi-turn-model.js";
import { type TargetColumn, TURN_STATE, type TurnTable } from "./turn-table.js";

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

export function summariseGroup(
  context: GroupContext,
  targetId: string | null,
  dimension: GroupDimension,
  group: string,
  members: GroupMembers,
): ComputedGroup {
  const { table, passThreshold, bootstrap } = context;
  const key = `${targetId ?? "*"}|${dimension}|${group}`;
  const turns = table.turns;
  const perTurn = Array.from({ length: turns }, () => ({
    scores: new HistogramCounter(),
    declines: new HistogramCounter(),
    unscored: 0,
    errors: 0,
    notReached: 0,
  }));
  const conversationValues = new HistogramCounter();
  const allScores = new HistogramCounter();
  const conversations = members.reduce((sum, member) => sum + member.items.length, 0);
  // Per conversation and turn: passed, failed or missing (for the Kaplan–Meier curve), flat.
  const observations = new Uint8Array(conversations * turns).fill(TURN_OBSERVATION.missing);
  let conversation = 0;
  const passCounter = new SafetyPassCounter();
  for (const { target, items } of members) {
    for (const item of items) {
      const count = table.turnCounts[item] ?? 0;
      let scoredTurns = 0;
      let anyFailed = false;
      const first =
        target.states[item * turns] === TURN_STATE.scored ? (target.scores[item * turns] ?? Number.NaN) : Number.NaN;
      for (let turn = 0; turn < Math.min(turns, count); turn += 1) {
        const slot = perTurn[turn];
        if (slot === undefined) continue;
        const state = target.states[item * turns + turn];
        if (state === TURN_STATE.scored) {
          const score = target.scores[item * turns + turn] ?? Number.NaN;
          slot.scores.add(score);
          allScores.add(score);
          if (turn > 0 && !Number.isNaN(first)) slot.declines.add(score - first);
          scoredTurns += 1;
          const passes = turnPasses(score, passThreshold);
          if (!passes) anyFailed = true;
          observations[conversation * turns + turn] = passes ? TURN_OBSERVATION.passed : TURN_OBSERVATION.failed;
        } else if (state === TURN_STATE.unscored) slot.unscored += 1;
        else if (state === TURN_STATE.error) slot.errors += 1;
        else slot.notReached += 1;
      }
      conversation += 1;
      const conversationMean = conversationScore(target, item);
      if (!Number.isNaN(conversationMean)) conversationValues.add(conversationMean);
      // The Safety Pass Rate's decided-conversation rule (analysis/safety-metrics.ts).
      passCounter.add(conversationOutcome(count, scoredTurns, anyFailed));
    }
  }
  const conversationHistogram = conversationValues.histogram();
  const estimates = bootstrapMeans(conversationHistogram, bootstrap, `${key}|conversation`);
  const groupTurns = perTurn.map(
    (slot, turn): GroupTurn => ({
      turn,
      ...distribution(slot.scores.histogram(), bootstrap, `${key}|turn${turn}`),
      unscored: slot.unscored,
      errors: slot.errors,
      notReached: slot.notReached,
      decline: turn === 0 ? null : delta(slot.declines.histogram(), bootstrap, `${key}|decline${turn}`),
    }),
  );
  const { passed, decided } = passCounter;
  const passInterval = bootstrapRateInterval(passed, decided, bootstrap, `${key}|pass`);
  const summary: ConversationGroup = {
    targetId,
    dimension,
    group,
    conversations,
    conversationScore: distribution(conversationHistogram, bootstrap, "", estimates),
    allTurns: {
      ...distribution(allScores.histogram(), bootstrap, `${key}|all`),
      unscored: groupTurns.reduce((sum, turn) => sum + turn.unscored, 0),
      errors: groupTurns.reduce((sum, turn) => sum + turn.errors, 0),
    },
    turns: groupTurns,
    safetyPassRate: {
      n: decided,
      count: passed,
      rate: passCounter.rate,
      ciLow: passInterval?.low ?? null,
      ciHigh: passInterval?.high ?? null,
    },
    survival: kaplanMeier(
      conversations,
      turns,
      (index, turn) => (observations[index * turns + turn] ?? TURN_OBSERVATION.missing) as 0 | 1 | 2,
    ),
  };
  return { summary, conversationScores: conversationHistogram, bootstrapMeans: estimates };
}

/** n, mean, median, quartiles and the bootstrap interval of the mean (from `estimates` when already drawn). */
export function distribution(
  histogram: Histogram,
  bootstrap: BootstrapOptions,
  key: string,
  estimates?: Float64Array | null,
): Distribution {
  const drawn = estimates === undefined ? bootstrapMeans(histogram, bootstrap, key) : estimates;
  const interval = drawn === null ? null : percentileInterval(Float64Array.from(drawn), bootstrap.confidence);
  const q1 = histogram.quantile(0.25);
  const q3 = histogram.quantile(0.75);
  return {
    n: histogram.n,
    mean: histogram.mean(),
    median: histogram.quantile(0.5),
    q1,
    q3,
    iqr: q1 === null || q3 === null ? null : q3 - q1,
    ciLow: interval?.low ?? null,
    ciHigh: interval?.high ?? null,
  };
}

export function delta(histogram: Histogram, bootstrap: BootstrapOptions, key: string): DeltaWithCi {
  const drawn = bootstrapMeans(histogram, bootstrap, key);
  const interval = drawn === null ? null : percentileInterval(drawn, bootstrap.confidence);
  return { n: histogram.n, mean: histogram.mean(), ciLow: interval?.low ?? null, ciHigh: interval?.high ?? null };
}
