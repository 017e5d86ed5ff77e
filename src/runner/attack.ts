import type { ChatMessage } from "../core/index.js";
import type { BenchmarkItem } from "../datasets/index.js";

/** What an attack decides after seeing the conversation so far. */
export type AttackStep = { readonly kind: "send"; readonly message: string } | { readonly kind: "stop"; readonly reason: string };

export interface AttackState {
  readonly item: BenchmarkItem;
  /** Messages so far, alternating user/assistant, ending with the target's last reply (or empty). */
  readonly conversation: readonly ChatMessage[];
  readonly turnIndex: number;
}

/**
 * A multi-turn attack as a pure step function: state in, next user turn (or stop) out. No state lives on
 * shared instances, so one attack serves every conversation concurrently.
 */
export type Attack = (state: AttackState) => AttackStep | Promise<AttackStep>;

/** Replay mode: send the item's stored user turns in order, whatever the target replied. */
export const replayAttack: Attack = ({ item, turnIndex }) => {
  const message = item.turns[turnIndex];
  return message === undefined ? { kind: "stop", reason: "turns-exhausted" } : { kind: "send", message };
};
