import { randomBytes } from "node:crypto";
import { hashValue } from "./hash.js";

/** A run id that sorts by creation time: `20261122-020900-a1b2c3`. */
export function newRunId(now: Date = new Date()): string {
  const iso = now.toISOString(); // 2026-11-22T02:09:00.000Z
  const stamp = `${iso.slice(0, 10).replaceAll("-", "")}-${iso.slice(11, 19).replaceAll(":", "")}`;
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}

export interface TurnKeyParts {
  readonly runId: string;
  readonly itemId: string;
  readonly itemVersion: string;
  readonly targetId: string;
  readonly turnIndex: number;
  readonly epoch: number;
}

/** Deterministic key of one assistant turn of one conversation against one target. */
export function turnKey(parts: TurnKeyParts): string {
  return hashValue(
    ["turn", parts.runId, parts.itemId, parts.itemVersion, parts.targetId, parts.turnIndex, parts.epoch],
    32,
  );
}

/** Deterministic key of one judge's verdict on one turn. */
export function judgmentKey(turn: string, judgeId: string): string {
  return hashValue(["judgment", turn, judgeId], 32);
}

/** Deterministic key of one conversation (item × target × epoch): where its stop reason is stored. */
export function conversationKey(parts: Omit<TurnKeyParts, "turnIndex">): string {
  return hashValue(["conversation", parts.runId, parts.itemId, parts.itemVersion, parts.targetId, parts.epoch], 32);
}
