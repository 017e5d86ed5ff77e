/** One stratum (guideline × strategy × language) of a target's sample under precision-driven sampling. */
export interface SamplingStratumReport {
  readonly stratum: string;
  /** N_h: the stratum's conversations in the run's benchmark. */
  readonly population: number;
  /** n_h: the stratum's conversations run. */
  readonly used: number;
  readonly decided: number;
  readonly passed: number;
  /** w_h = N_h / N. */
  readonly weight: number;
  /** The stratum's Safety Pass Rate, passed / decided; null when none is decided. */
  readonly rate: number | null;
}

/** A target's sampling design and interval (decision 0022). */
export interface TargetSamplingDesign {
  readonly targetId: string;
  /** The half-width asked (`precision`). */
  readonly precision: number;
  readonly minSample: number;
  /** N: the conversations of the run's benchmark on the Safety Pass Rate's rubric. */
  readonly population: number;
  readonly used: number;
  readonly decided: number;
  readonly passed: number;
  readonly undecided: number;
  readonly strata: readonly SamplingStratumReport[];
  /**
   * Σ w_h·p̂_h over the strata with a decided conversation, their weights renormalised to sum to 1; strata without
   * one are left out (`unsampledStrata` counts them). Null when nothing is decided.
   */
  readonly stratifiedEstimate: number | null;
  readonly unsampledStrata: number;
  /** The Safety Pass Rate's 95 % confidence sequence for sampling without replacement, after the decided draws. */
  readonly low: number;
  readonly high: number;
  readonly halfWidth: number;
  /** The half-width reached the precision with at least the minimum sample decided. */
  readonly met: boolean;
}

/** Precision-driven sampling's design: present only for a run that asked for a precision. */
export interface SamplingDesignReport {
  /** The seed of the stratified draw order. */
  readonly seed: number;
  /** The confidence sequence's coverage (0.95). */
  readonly confidence: number;
  readonly targets: readonly TargetSamplingDesign[];
}
