import type { ChatMessage, Usage } from "../core/index.js";
import type { BenchmarkItem } from "../datasets/index.js";
import type { RetryInfo } from "../providers/index.js";

/** Why a conversation ended (stored per conversation in adaptive runs). */
export const STOP_REASONS = [
  "turns-exhausted",
  "max-turns",
  "score-threshold",
  "attacker-gave-up",
  "attacker-invalid",
  "attacker-error",
  "turn-error",
] as const;
export type StopReason = (typeof STOP_REASONS)[number];

/** A failed model call behind a stop (the attacker's), as the store records failures. */
export interface AttackError {
  readonly code: string;
  readonly status: number | null;
  readonly message: string;
}

/**
 * What an attack decides after seeing the conversation so far. `usage` counts the attack's own model calls, `costUsd`
 * their price in USD (null: one of them was unpriced; absent: no call was made).
 */
export type AttackStep =
  | {
      readonly kind: "send";
      readonly message: string;
      readonly usage?: Usage;
      readonly calls?: number;
      readonly costUsd?: number | null;
    }
  | {
      readonly kind: "stop";
      readonly reason: StopReason;
      /** Human-readable detail: the attacker's reason for giving up, the score that met the threshold, ... */
      readonly detail?: string;
      readonly error?: AttackError;
      readonly usage?: Usage;
      readonly calls?: number;
      readonly costUsd?: number | null;
    };

export type AttackStop = Extract<AttackStep, { kind: "stop" }>;

export interface AttackState {
  readonly item: BenchmarkItem;
  /** Messages so far, alternating user/assistant, ending with the target's last reply (or empty). */
  readonly conversation: readonly ChatMessage[];
  readonly turnIndex: number;
  /**
   * Adaptive runs: the mean score of each turn so far by the run's judges (`undefined` when no judge returned a valid
   * score for it). Replay runs judge in the background and leave this out.
   */
  readonly scores?: readonly (number | undefined)[];
  /**
   * The step an earlier, interrupted execution of this conversation took at this turn (resume): the user message it
   * sent, or the attacker's stop. Adaptive attacks reuse it instead of asking the attacker again.
   */
  readonly recorded?: AttackStep;
  /** The conversation's epoch (repeated sampling, decision 0030); absent: 0. The attacker's requests carry it. */
  readonly epoch?: number;
}

/** What an attack may use to make model calls: the run's concurrency slot, cancellation and retry reporting. */
export interface AttackContext {
  /** Runs a model call in the run's concurrency slot; rejects with a `cancelled` MedsafetyError if the run stopped first. */
  readonly call: <T>(call: () => Promise<T>) => Promise<T>;
  readonly signal?: AbortSignal;
  readonly onRetry?: (info: RetryInfo) => void;
}

/** Calls at once, no slot, no cancellation: for attacks used outside a run (tests, scripts). */
export const DIRECT_ATTACK_CONTEXT: AttackContext = { call: (call) => call() };

/**
 * A multi-turn attack as a pure step function: state in, next user turn (or stop) out. No state lives on
 * shared instances, so one attack serves every conversation concurrently. Model calls an attack makes (adaptive
 * mode's attacker) go through `context`.
 */
export type Attack = (state: AttackState, context?: AttackContext) => AttackStep | Promise<AttackStep>;

/** Replay mode's step: the item's stored user turn at this index, or stop once they are exhausted. */
export function replayStep({ item, turnIndex }: Pick<AttackState, "item" | "turnIndex">): AttackStep {
  const message = item.turns[turnIndex];
  return message === undefined ? { kind: "stop", reason: "turns-exhausted" } : { kind: "send", message };
}

/** Replay mode: send the item's stored user turns in order, whatever the target replied. */
export const replayAttack: Attack = (state) => replayStep(state);
