import { samplingSeedOf } from "../analysis/index.js";
import type { Config } from "../config/index.js";
import { MedsafetyError } from "../core/index.js";
import {
  type AdaptiveMode,
  createPrecisionSampling,
  type PrecisionSampling,
  type PrecisionSettings,
  type RunEvents,
  type RunJudge,
} from "../runner/index.js";

export type { PrecisionTargetStatus } from "../runner/index.js";

/**
 * The precision-driven sampling settings of a run (decision 0022): `precision` from the command (`--precision`,
 * which a resume may lower) or else the run's frozen config; undefined when neither asks for it. The seed is the
 * config's `samplingSeed`, else derived from the run id, so a resumed run draws the same order.
 */
export function precisionSettingsOf(
  config: Config,
  runId: string,
  precision: number | undefined,
): PrecisionSettings | undefined {
  const asked = precision ?? config.precision;
  if (asked === undefined) return undefined;
  // Repeated sampling's epochs of one item are not independent draws (decision 0030); the config refuses the pair,
  // and so does a --precision given on the command line.
  const repeated = config.targets.find((target) => (target.epochs ?? 1) > 1);
  if (repeated !== undefined)
    throw new MedsafetyError(
      "config_invalid",
      `--precision cannot be used with repeated sampling: target ${repeated.id} has epochs: ${repeated.epochs} (precision-driven sampling draws independent conversations, and the epochs of one item are not independent). Run without --precision, or remove epochs from the target.`,
    );
  return {
    precision: asked,
    minSample: config.minSample,
    seed: config.samplingSeed ?? samplingSeedOf(runId),
    passThreshold: config.passThreshold,
    // The bets are tuned to the precision the run was created with (the report recomputes the same sequence).
    plannedPrecision: config.precision ?? asked,
    ...(config.batchWindow === undefined ? {} : { batchWindow: config.batchWindow }),
  };
}

/** What precision-driven sampling needs of a bound run (`BoundRun` of run-steps.ts, which imports this file). */
interface SampledRun {
  readonly config: Config;
  readonly bound: { readonly targets: readonly { readonly id: string }[]; readonly judges: readonly RunJudge[] };
  readonly adaptive: AdaptiveMode | undefined;
  readonly rubricSet: { get(rubric: string | undefined): { readonly rubric: { readonly id: string } } };
}

/** Precision-driven sampling for one execution of a bound run, or undefined when the run does not ask for it. */
export function precisionSamplingOf(
  run: SampledRun,
  options: { readonly runId: string; readonly precision?: number; readonly events: RunEvents },
): PrecisionSampling | undefined {
  const settings = precisionSettingsOf(run.config, options.runId, options.precision);
  if (settings === undefined) return undefined;
  const plannedTurns = run.adaptive?.adaptive.plannedTurns;
  return createPrecisionSampling(settings, {
    targetIds: run.bound.targets.map((target) => target.id),
    judges: run.bound.judges,
    rubricFor: (rubric) => run.rubricSet.get(rubric),
    ...(plannedTurns === undefined ? {} : { plannedTurns }),
    events: options.events,
  });
}
