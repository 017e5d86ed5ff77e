import {
  conversationOutcome,
  PrecisionTracker,
  type SamplingDesign,
  samplingStratum,
  stratifiedOrder,
  turnPasses,
  turnScore,
} from "../analysis/index.js";
import type { BenchmarkItem } from "../datasets/index.js";
import { DEFAULT_RUBRIC } from "../judges/index.js";
import type { AdmissionDecision, ConversationAdmission } from "./admission.js";
import type { RunEvents } from "./events.js";
import type { ConversationJob, RunItem, RunJudge } from "./run-context.js";

/** The settings of precision-driven sampling (`precision`, `minSample` and the seed of the draw order). */
export interface PrecisionSettings {
  /** The largest half-width of a target's Safety Pass Rate 95 % confidence sequence at which it stops. */
  readonly precision: number;
  /** Decided conversations a target uses at least before it may stop. */
  readonly minSample: number;
  /** Seeds the stratified draw order: the same seed and stored items give the same order (resume). */
  readonly seed: number;
  readonly passThreshold: number;
  /**
   * The precision the confidence sequence's bets are tuned for (decision 0022): the run's frozen precision, so a
   * resume with a smaller `--precision` replays the same sequence; default `precision`.
   */
  readonly plannedPrecision?: number;
  /** With a batch binding: conversations per target open at once (`RunContext.batchWindow`); default `minSample`. */
  readonly batchWindow?: number;
}

/** A target's progress under precision-driven sampling. */
export interface PrecisionTargetStatus {
  readonly targetId: string;
  readonly design: SamplingDesign;
  /** The target stopped drawing because its interval was narrow enough. */
  readonly stoppedByPrecision: boolean;
}

/** The order, admission and per-target status of precision-driven sampling, for one execution of a run. */
export interface PrecisionSampling {
  readonly order: (items: Iterable<RunItem>) => Iterable<RunItem>;
  readonly admission: ConversationAdmission;
  /**
   * Conversations per target to keep open at once when a binding batches (`RunContext.batchWindow`): every one at
   * once would admit the whole benchmark before any outcome is known (decision 0022).
   */
  readonly batchWindow: number;
  status(): PrecisionTargetStatus[];
  dispose(): void;
}

/**
 * Items in the seeded stratified draw order (`stratifiedOrder` over guideline × strategy × language, by item id).
 * Only items the Safety Pass Rate's rubric scores are sampled; items on another rubric (MedSafetyBench's) follow
 * them in stored order and always run.
 */
export function samplingOrder(items: readonly RunItem[], seed: number): RunItem[] {
  const sampled = items.filter(({ item }) => onPassRateRubric(item));
  const order = stratifiedOrder(
    sampled.map(({ item }) => samplingStratum(item)),
    seed,
    sampled.map(({ item }) => item.id),
  );
  return [...order.map((index) => sampled[index] as RunItem), ...items.filter(({ item }) => !onPassRateRubric(item))];
}

/** Whether an item is scored on the Safety Pass Rate's rubric (the report's multi-turn table holds only these). */
function onPassRateRubric(item: BenchmarkItem): boolean {
  return (item.rubric ?? DEFAULT_RUBRIC) === DEFAULT_RUBRIC;
}

interface TargetState {
  readonly tracker: PrecisionTracker;
  /** Outcomes by draw position, fed to the tracker once every earlier drawn conversation has one. */
  readonly outcomes: Map<number, ReturnType<typeof conversationOutcome>>;
  nextToRecord: number;
  drawn: number;
  stopped: boolean;
}

/**
 * Precision-driven sampling (issue 15, decision 0022). Conversations are drawn in a seeded random order stratified by
 * guideline × strategy × language; each target's decided outcomes (the Safety Pass Rate's decided-conversation rule,
 * scores from the runner's "judgment-end" events on the default rubric) feed a confidence sequence for sampling
 * without replacement in draw order, and the admission skips a target's further conversations once its half-width is
 * at most `precision` with at least `minSample` decided. A resumed run replays its stored verdicts through the same
 * events in the same order, so it continues the same sample.
 */
export function createPrecisionSampling(
  settings: PrecisionSettings,
  run: {
    readonly targetIds: readonly string[];
    readonly judges: readonly RunJudge[];
    readonly rubricFor: (rubric: string | undefined) => { readonly rubric: { readonly id: string } };
    readonly plannedTurns?: (item: BenchmarkItem) => number;
    readonly events: RunEvents;
  },
): PrecisionSampling {
  const positions = new Map<string, number>();
  const states = new Map<string, TargetState>();
  // Per conversation (target, item): per turn, the scores of the judges that score the Safety Pass Rate's rubric.
  const scores = new Map<string, Map<number, Map<string, number>>>();
  const off = run.events.on("judgment-end", (event) => {
    if (event.score === undefined) return;
    const key = conversationKey(event.targetId, event.itemId);
    let turns = scores.get(key);
    if (turns === undefined) {
      turns = new Map();
      scores.set(key, turns);
    }
    const byJudge = turns.get(event.turnIndex) ?? new Map<string, number>();
    byJudge.set(event.judgeId, event.score);
    turns.set(event.turnIndex, byJudge);
  });
  const judgesOnRubric = (item: BenchmarkItem): Set<string> =>
    new Set(
      run.judges
        .filter((judge) => (judge.rubric ?? run.rubricFor(item.rubric)).rubric.id === DEFAULT_RUBRIC)
        .map((judge) => judge.id),
    );

  const order = (items: Iterable<RunItem>): Iterable<RunItem> => {
    const ordered = samplingOrder([...items], settings.seed);
    const strata = ordered.filter(({ item }) => onPassRateRubric(item)).map(({ item }) => samplingStratum(item));
    ordered.forEach(({ item }, position) => {
      if (position < strata.length) positions.set(item.id, position);
    });
    for (const targetId of run.targetIds) {
      states.set(targetId, {
        tracker: new PrecisionTracker(strata, settings),
        outcomes: new Map(),
        nextToRecord: 0,
        drawn: 0,
        stopped: false,
      });
    }
    return ordered;
  };

  const admit = (job: ConversationJob): AdmissionDecision => {
    const state = states.get(job.target.id);
    // Items outside the sampled population (another rubric) always run.
    if (state === undefined || !positions.has(job.item.id)) return START;
    if (state.stopped || state.tracker.met) {
      state.stopped = true;
      // The skipped conversation's calls leave the progress total, as a dropped conversation's do.
      const turns = run.plannedTurns?.(job.item) ?? job.item.turns.length;
      run.events.emit("calls-dropped", {
        targetId: job.target.id,
        itemId: job.item.id,
        calls: turns * (1 + run.judges.length),
        reason: "precision",
      });
      return SKIP;
    }
    state.drawn += 1;
    return START;
  };

  const finished = (job: ConversationJob): void => {
    const state = states.get(job.target.id);
    const position = positions.get(job.item.id);
    const key = conversationKey(job.target.id, job.item.id);
    const turns = scores.get(key);
    scores.delete(key);
    if (state === undefined || position === undefined) return;
    const counted = judgesOnRubric(job.item);
    const planned = run.plannedTurns?.(job.item) ?? job.item.turns.length;
    let scored = 0;
    let failed = false;
    for (const byJudge of (turns ?? new Map<number, Map<string, number>>()).values()) {
      const score = turnScore([...byJudge].filter(([judgeId]) => counted.has(judgeId)).map(([, value]) => value));
      if (Number.isNaN(score)) continue;
      scored += 1;
      if (!turnPasses(score, settings.passThreshold)) failed = true;
    }
    // Judges on another rubric do not score the Safety Pass Rate: without any on its rubric, nothing is decided.
    const outcome = counted.size === 0 ? "undecided" : conversationOutcome(planned, scored, failed);
    state.outcomes.set(position, outcome);
    // Feed the confidence sequence in draw order: a conversation drawn later may finish first.
    for (;;) {
      const next = state.outcomes.get(state.nextToRecord);
      if (next === undefined) break;
      state.outcomes.delete(state.nextToRecord);
      // The tracker's strata are indexed by draw position.
      state.tracker.record(state.nextToRecord, next);
      state.nextToRecord += 1;
    }
  };

  return {
    order,
    admission: { admit, finished },
    batchWindow: settings.batchWindow ?? settings.minSample,
    status: () =>
      run.targetIds.flatMap((targetId) => {
        const state = states.get(targetId);
        if (state === undefined) return [];
        const design = state.tracker.design();
        return [{ targetId, design, stoppedByPrecision: state.stopped || design.met }];
      }),
    dispose: off,
  };
}

const START: AdmissionDecision = { kind: "start" };
const SKIP: AdmissionDecision = { kind: "skip" };

function conversationKey(targetId: string, itemId: string): string {
  return `${targetId}\u0000${itemId}`;
}
