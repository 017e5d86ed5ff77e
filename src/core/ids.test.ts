import { describe, expect, it } from "vitest";
import { judgmentKey, newRunId, type TurnKeyParts, turnKey } from "./ids.js";

const PARTS: TurnKeyParts = {
  runId: "run-1",
  itemId: "item-1",
  itemVersion: "v1",
  targetId: "target-1",
  turnIndex: 0,
  epoch: 0,
};

describe("turnKey", () => {
  it("is deterministic and 32 hex chars", () => {
    expect(turnKey(PARTS)).toBe(turnKey({ ...PARTS }));
    expect(turnKey(PARTS)).toMatch(/^[0-9a-f]{32}$/);
  });

  it.each([
    ["runId", { runId: "run-2" }],
    ["itemId", { itemId: "item-2" }],
    ["itemVersion", { itemVersion: "v2" }],
    ["targetId", { targetId: "target-2" }],
    ["turnIndex", { turnIndex: 1 }],
    ["epoch", { epoch: 1 }],
  ] as const)("changes when %s changes", (_name, change) => {
    expect(turnKey({ ...PARTS, ...change })).not.toBe(turnKey(PARTS));
  });

  it("does not confuse parts that concatenate to the same text", () => {
    expect(turnKey({ ...PARTS, runId: "ab", itemId: "c" })).not.toBe(turnKey({ ...PARTS, runId: "a", itemId: "bc" }));
  });
});

describe("judgmentKey", () => {
  it("is deterministic and sensitive to the turn key and the judge", () => {
    const turn = turnKey(PARTS);
    expect(judgmentKey(turn, "judge-a")).toBe(judgmentKey(turn, "judge-a"));
    expect(judgmentKey(turn, "judge-a")).toMatch(/^[0-9a-f]{32}$/);
    expect(judgmentKey(turn, "judge-b")).not.toBe(judgmentKey(turn, "judge-a"));
    expect(judgmentKey(turnKey({ ...PARTS, turnIndex: 1 }), "judge-a")).not.toBe(judgmentKey(turn, "judge-a"));
  });

  it("never equals the turn key it is built from", () => {
    const turn = turnKey(PARTS);
    expect(judgmentKey(turn, "judge-a")).not.toBe(turn);
  });
});

describe("newRunId", () => {
  it("is the UTC date and time plus six random hex chars", () => {
    expect(newRunId(new Date("2026-11-22T02:09:00.000Z"))).toMatch(/^20261122-020900-[0-9a-f]{6}$/);
  });

  it("differs between two ids of the same second", () => {
    const now = new Date("2026-11-22T02:09:00.000Z");
    const ids = new Set(Array.from({ length: 20 }, () => newRunId(now)));
    expect(ids.size).toBe(20);
  });

  it("sorts by creation time", () => {
    const times = [
      "2025-12-31T23:59:59.000Z",
      "2026-01-01T00:00:00.000Z",
      "2026-01-01T00:00:01.000Z",
      "2026-10-02T09:00:00.000Z",
    ];
    const ids = times.map((time) => newRunId(new Date(time)));
    expect([...ids].reverse().sort()).toEqual(ids);
  });
});
