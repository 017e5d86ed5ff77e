import { addUsage, errorFieldsOf, errorMessage, isCancellation, type Usage, ZERO_USAGE } from "../core/index.js";
import type { BenchmarkItem } from "../datasets/index.js";
import { DEFAULT_STRATEGY_TURNS, findStrategy, type LoadedStrategy, type Strategy } from "../generation/index.js";
import { DEFAULT_RUBRIC } from "../judges/index.js";
import {
  type Attack,
  type AttackContext,
  type AttackState,
  type AttackStep,
  DIRECT_ATTACK_CONTEXT,
  replayStep,
} from "./attack.js";
import {
  type AttackerPrompt,
  buildAttackerRequest,
  correctionRequest,
  parseAttackerAnswer,
} from "./attacker-prompt.js";
import type { RunAttacker } from "./run-context.js";
import { anyStop, maxTurns, type StopCondition, scoreAtMost } from "./stop-conditions.js";

/** Answers the attacker may give per step before the step is recorded as `attacker-invalid`. */
export const DEFAULT_ATTACKER_ATTEMPTS = 3;

export interface AdaptiveAttackOptions {
  readonly attacker: RunAttacker;
  /** The strategy library items' strategies are looked up in (`findStrategy`). */
  readonly strategies: readonly LoadedStrategy[];
  readonly prompt: AttackerPrompt;
  /** Most user turns per conversation (config `maxTurns`); default `defaultMaxTurns`. */
  readonly maxTurns?: number;
  /** Stop once the last turn's mean judge score is at most this (config `stopWhenScoreAtMost`); default: never. */
  readonly stopWhenScoreAtMost?: number;
  /** Answers per step before `attacker-invalid` (default 3). */
  readonly attempts?: number;
}

/**
 * Adaptive mode applies to multi-turn attack items (judged with the default multi-turn safety rubric). Items of other
 * rubrics (MedSafetyBench requests, benign questions) are not attacks to escalate: they are replayed as stored.
 */
export function isAdaptiveItem(item: BenchmarkItem): boolean {
  return (item.rubric ?? DEFAULT_RUBRIC) === DEFAULT_RUBRIC;
}

/** The item's stored turn count, or 3 (the protocol's turns) for a single-turn item such as a seed request. */
export function defaultMaxTurns(item: BenchmarkItem): number {
  return item.turns.length > 1 ? item.turns.length : DEFAULT_STRATEGY_TURNS;
}

/** User turns planned for an item in an adaptive run: its maximum for adaptive items, its stored turns otherwise. */
export function plannedTurns(item: BenchmarkItem, configuredMax: number | undefined): number {
  return isAdaptiveItem(item) ? (configuredMax ?? defaultMaxTurns(item)) : item.turns.length;
}

/**
 * The strategy an item follows, as `id` or `id@version`: `metadata.strategyRef`, else `metadata.strategyId` or the
 * item's `strategy`, with `metadata.strategyVersion` when given (the provenance generated conversations carry).
 */
export function strategyReferenceOf(item: BenchmarkItem): string {
  const { strategyRef, strategyId, strategyVersion } = item.metadata;
  if (typeof strategyRef === "string" && strategyRef !== "") return strategyRef;
  const id = typeof strategyId === "string" && strategyId !== "" ? strategyId : item.strategy;
  const version =
    typeof strategyVersion === "number" || (typeof strategyVersion === "string" && strategyVersion !== "")
      ? String(strategyVersion)
      : undefined;
  return version === undefined || id.includes("@") ? id : `${id}@${version}`;
}

/** The stop conditions of an adaptive attack: max turns, then the score threshold when set. */
export function adaptiveStopConditions(
  options: Pick<AdaptiveAttackOptions, "maxTurns" | "stopWhenScoreAtMost">,
): StopCondition {
  const limit = options.maxTurns;
  return anyStop(
    maxTurns((item) => plannedTurns(item, limit)),
    ...(options.stopWhenScoreAtMost === undefined ? [] : [scoreAtMost(options.stopWhenScoreAtMost)]),
  );
}

/** What an adaptive step does next, decided without any call: a step, or ask the attacker. */
export type AdaptivePlan = AttackStep | { readonly kind: "ask-attacker" };

/**
 * The pure part of an adaptive step: items that are not attacks replay; then the stop conditions; then the step an
 * interrupted execution recorded (resume reuses it, never asks again); turn 0 sends the item's stored opening;
 * any later turn is the attacker's to write.
 */
export function planAdaptiveStep(state: AttackState, stopWhen: StopCondition): AdaptivePlan {
  if (!isAdaptiveItem(state.item)) return replayStep(state);
  const stop = stopWhen(state);
  if (stop !== undefined) return stop;
  if (state.recorded !== undefined) return state.recorded;
  const opening = state.item.turns[0];
  if (state.turnIndex === 0 && opening !== undefined) return { kind: "send", message: opening };
  return { kind: "ask-attacker" };
}

/**
 * Adaptive mode: an attacker model writes each next user turn after reading the target's reply, following the
 * item's seed request and strategy, until a stop condition fires or the attacker gives up. A step function like
 * every attack: all it reads is the state, all it keeps is in the returned step.
 */
export function adaptiveAttack(options: AdaptiveAttackOptions): Attack {
  const stopWhen = adaptiveStopConditions(options);
  return async (state, context = DIRECT_ATTACK_CONTEXT) => {
    const plan = planAdaptiveStep(state, stopWhen);
    return plan.kind === "ask-attacker" ? askAttacker(options, state, context) : plan;
  };
}

/** One attacker step: the attacker's turn, its give-up, or a recorded failure (`attacker-error` / `attacker-invalid`). */
async function askAttacker(
  options: AdaptiveAttackOptions,
  state: AttackState,
  context: AttackContext,
): Promise<AttackStep> {
  let strategy: Strategy;
  try {
    strategy = findStrategy(options.strategies, strategyReferenceOf(state.item)).strategy;
  } catch (error) {
    return {
      kind: "stop",
      reason: "attacker-error",
      error: { code: "dataset_invalid", status: null, message: errorMessage(error) },
    };
  }
  const { attacker } = options;
  const base = {
    ...buildAttackerRequest(options.prompt, {
      item: state.item,
      strategy,
      conversation: state.conversation,
      turnIndex: state.turnIndex,
      maxTurns: plannedTurns(state.item, options.maxTurns),
    }),
    ...attacker.sampling,
    // Each epoch of a conversation is its own sample, for the attacker too (decision 0030).
    ...(state.epoch === undefined || state.epoch === 0 ? {} : { epoch: state.epoch }),
  };
  let request = base;
  let usage: Usage = ZERO_USAGE;
  let calls = 0;
  // The attacker's price of this step's calls; null once one of them is unpriced (or not priced by any layer).
  let costUsd: number | null = 0;
  let problem = "";
  const attempts = Math.max(1, options.attempts ?? DEFAULT_ATTACKER_ATTEMPTS);
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    calls += 1;
    let text: string;
    try {
      const response = await context.call(() =>
        attacker.model.generate(request, {
          ...(context.signal === undefined ? {} : { signal: context.signal }),
          ...(context.onRetry === undefined ? {} : { onRetry: context.onRetry }),
        }),
      );
      usage = addUsage(usage, response.usage);
      costUsd = costUsd === null || response.costUsd == null ? null : costUsd + response.costUsd;
      text = response.text;
    } catch (error) {
      if (isCancellation(error)) throw error;
      return { kind: "stop", reason: "attacker-error", error: errorFieldsOf(error), usage, calls, costUsd };
    }
    const answer = parseAttackerAnswer(text);
    if (answer.kind === "send") return { kind: "send", message: answer.message, usage, calls, costUsd };
    if (answer.kind === "give-up")
      return { kind: "stop", reason: "attacker-gave-up", detail: answer.reason, usage, calls, costUsd };
    problem = answer.problem;
    request = { ...base, ...correctionRequest(options.prompt, state.item.language, base, text, problem) };
  }
  return {
    kind: "stop",
    reason: "attacker-invalid",
    detail: `no valid answer in ${attempts} attempt(s); last: ${problem}`,
    usage,
    calls,
    costUsd,
  };
}
