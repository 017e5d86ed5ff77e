import { hashValue } from "../../core/index.js";
import { type RetrievedStrategy, retrieve, type StrategyLibrary, splitByEffect } from "./library.js";

export type DiscoveryPhase = "warmup" | "lifelong";

/** The loop's settings (`medsafety discover` flags). */
export interface DiscoverySettings {
  /** Passes over every seed in the warm-up phase (attacker free) and in the lifelong phase (library retrieval). */
  readonly warmup: number;
  readonly lifelong: number;
  /** Most attempts per seed in one pass (T). */
  readonly maxIterations: number;
  /** Strategies retrieved per attempt (K). */
  readonly topK: number;
  /** A seed's pass stops once an attempt scores at least this. */
  readonly threshold: number;
  /** Cosine similarity of strategy texts at or above which a new strategy is merged into an existing one. */
  readonly mergeSimilarity: number;
}

/** What the loop needs to know about an attempt already made in this pass. */
export interface AttemptState {
  readonly key: string;
  readonly score: number | null;
  readonly response: string | null;
  readonly responseEmbedding: Float32Array | null;
}

export type SeedStep =
  | { readonly kind: "attack"; readonly iteration: number }
  | { readonly kind: "stop"; readonly reason: "threshold" | "max-iterations" };

/** One pass of one seed in one phase. */
export interface PassRef {
  readonly runId: string;
  readonly seedId: string;
  readonly phase: DiscoveryPhase;
  readonly pass: number;
}

/** The phases in order: `warmup` passes, then `lifelong` passes (each a pass over every seed). */
export function phasePlan(
  settings: Pick<DiscoverySettings, "warmup" | "lifelong">,
): { phase: DiscoveryPhase; pass: number }[] {
  return [
    ...Array.from({ length: settings.warmup }, (_, pass) => ({ phase: "warmup" as const, pass })),
    ...Array.from({ length: settings.lifelong }, (_, pass) => ({ phase: "lifelong" as const, pass })),
  ];
}

/** Stop when the last attempt reached the threshold or after `maxIterations` attempts; otherwise attack again. */
export function nextSeedStep(
  attempts: readonly AttemptState[],
  settings: Pick<DiscoverySettings, "maxIterations" | "threshold">,
): SeedStep {
  const last = attempts.at(-1);
  if (last?.score !== null && last?.score !== undefined && last.score >= settings.threshold)
    return { kind: "stop", reason: "threshold" };
  if (attempts.length >= settings.maxIterations) return { kind: "stop", reason: "max-iterations" };
  return { kind: "attack", iteration: attempts.length };
}

/** The latest scored attempt before the last one (what the last attempt's gain is measured against). */
export function previousScored(attempts: readonly AttemptState[]): AttemptState | undefined {
  for (let index = attempts.length - 2; index >= 0; index -= 1) {
    const attempt = attempts[index];
    if (attempt?.score !== null && attempt?.score !== undefined) return attempt;
  }
  return undefined;
}

/**
 * The pair to summarise after the last attempt: it when it scored higher than the previous scored attempt of the
 * same seed in this pass (the weaker attempt is the one whose response the strategy overcame).
 */
export function summaryPair<A extends AttemptState>(
  attempts: readonly A[],
): { weaker: A; stronger: A; gain: number } | undefined {
  const stronger = attempts.at(-1);
  if (stronger?.score === null || stronger?.score === undefined) return undefined;
  const weaker = previousScored(attempts) as A | undefined;
  if (weaker?.score === null || weaker?.score === undefined || stronger.score <= weaker.score) return undefined;
  return { weaker, stronger, gain: stronger.score - weaker.score };
}

/** What the attacker is told: nothing (free) in warm-up and for a first attempt, else the retrieved strategies split by effect. */
export interface AttackGuidance {
  readonly effective: readonly RetrievedStrategy[];
  readonly ineffective: readonly RetrievedStrategy[];
}

export const FREE_GUIDANCE: AttackGuidance = { effective: [], ineffective: [] };

/** Lifelong attempts after the first embed the latest response and retrieve the top-K strategies for it. */
export function planGuidance(
  phase: DiscoveryPhase,
  latest: AttemptState | undefined,
  library: StrategyLibrary,
  topK: number,
): AttackGuidance {
  if (phase === "warmup" || latest?.responseEmbedding === null || latest?.responseEmbedding === undefined)
    return FREE_GUIDANCE;
  return splitByEffect(retrieve(library, latest.responseEmbedding, topK));
}

/** Deterministic key of an attempt: run, seed, phase, pass, iteration. */
export function attemptKey(pass: PassRef, iteration: number): string {
  return hashValue(["discovery-attempt", pass.runId, pass.seedId, pass.phase, pass.pass, iteration], 32);
}

/** Deterministic key of a summary: run and the two attempts. */
export function summaryKey(runId: string, weakerKey: string, strongerKey: string): string {
  return hashValue(["discovery-summary", runId, weakerKey, strongerKey], 32);
}
