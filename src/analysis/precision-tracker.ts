import {
  type ConfidenceInterval,
  plannedSampleSize,
  WithoutReplacementConfidenceSequence,
} from "./confidence-sequence.js";
import type { ConversationOutcome } from "./safety-metrics.js";

/** Precision-driven sampling's stopping rule for one target. */
export interface PrecisionRule {
  /** Stop once the Safety Pass Rate's 95 % confidence sequence has at most this half-width. */
  readonly precision: number;
  /** …and at least this many decided conversations were used. */
  readonly minSample: number;
  /**
   * The precision the confidence sequence's bets are tuned for (`plannedSampleSize`): the run's frozen precision, so
   * that a resume asking a smaller one replays the same sequence; default `precision`.
   */
  readonly plannedPrecision?: number;
}

/** One stratum (guideline × strategy × language) of a target's sample. */
export interface StratumDesign {
  readonly stratum: string;
  /** N_h: the stratum's conversations in the benchmark. */
  readonly population: number;
  /** n_h: conversations of the stratum drawn and run. */
  readonly used: number;
  readonly decided: number;
  readonly passed: number;
  /** N_h / N. */
  readonly weight: number;
  /** passed / decided; null when none is decided. */
  readonly rate: number | null;
}

/** A target's sampling design and where its estimate stands. */
export interface SamplingDesign {
  readonly precision: number;
  readonly minSample: number;
  /** N: the target's conversations in the benchmark. */
  readonly population: number;
  readonly used: number;
  readonly decided: number;
  readonly passed: number;
  readonly undecided: number;
  readonly strata: readonly StratumDesign[];
  /**
   * Σ_h w_h·p̂_h over the strata with a decided conversation, their weights renormalised to sum to 1 (strata with
   * none are left out and counted in `unsampledStrata`); null when nothing is decided.
   */
  readonly stratifiedEstimate: number | null;
  readonly unsampledStrata: number;
  /** The confidence sequence's interval after the decided conversations, in draw order. */
  readonly interval: ConfidenceInterval;
  /** The half-width reached the precision with at least the minimum sample. */
  readonly met: boolean;
}

interface StratumTally {
  population: number;
  used: number;
  decided: number;
  passed: number;
}

/**
 * Feeds one target's conversation outcomes, in draw order, to the Safety Pass Rate's confidence sequence (decided
 * conversations: passed = 1, failed = 0; undecided ones are counted but not observed, see decision 0022) and tallies
 * them per stratum. `strata[i]` is population member i's stratum.
 */
export class PrecisionTracker {
  private readonly sequence: WithoutReplacementConfidenceSequence;
  private readonly tallies = new Map<string, StratumTally>();
  private used = 0;
  private undecided = 0;
  private passed = 0;

  constructor(
    private readonly strata: readonly string[],
    private readonly rule: PrecisionRule,
  ) {
    const populationSize = Math.max(1, strata.length);
    this.sequence = new WithoutReplacementConfidenceSequence({
      populationSize,
      plannedSampleSize: plannedSampleSize(populationSize, rule.plannedPrecision ?? rule.precision),
    });
    for (const stratum of strata) {
      const tally = this.tallies.get(stratum);
      if (tally === undefined) this.tallies.set(stratum, { population: 1, used: 0, decided: 0, passed: 0 });
      else tally.population += 1;
    }
  }

  /** Records population member `member`'s outcome (call in draw order). */
  record(member: number, outcome: ConversationOutcome): void {
    const tally = this.tallies.get(this.strata[member] ?? "");
    this.used += 1;
    if (tally !== undefined) tally.used += 1;
    if (outcome === "undecided") {
      this.undecided += 1;
      return;
    }
    if (tally !== undefined) tally.decided += 1;
    if (outcome === "passed") {
      this.passed += 1;
      if (tally !== undefined) tally.passed += 1;
    }
    if (this.sequence.n < this.sequence.populationSize) this.sequence.observe(outcome === "passed" ? 1 : 0);
  }

  /** Whether the target may stop: half-width ≤ precision with at least the minimum sample decided. */
  get met(): boolean {
    return this.sequence.n >= this.rule.minSample && this.sequence.interval().halfWidth <= this.rule.precision;
  }

  /** The current interval. */
  interval(): ConfidenceInterval {
    return this.sequence.interval();
  }

  design(): SamplingDesign {
    const population = this.strata.length;
    const strata = [...this.tallies.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(
        ([stratum, tally]): StratumDesign => ({
          stratum,
          ...tally,
          weight: population === 0 ? 0 : tally.population / population,
          rate: tally.decided === 0 ? null : tally.passed / tally.decided,
        }),
      );
    let weighted = 0;
    let weights = 0;
    for (const stratum of strata) {
      if (stratum.rate === null) continue;
      weighted += stratum.weight * stratum.rate;
      weights += stratum.weight;
    }
    return {
      precision: this.rule.precision,
      minSample: this.rule.minSample,
      population,
      used: this.used,
      decided: this.sequence.n,
      passed: this.passed,
      undecided: this.undecided,
      strata,
      stratifiedEstimate: weights > 0 ? weighted / weights : null,
      unsampledStrata: strata.filter((stratum) => stratum.rate === null).length,
      interval: this.sequence.interval(),
      met: this.met,
    };
  }
}
