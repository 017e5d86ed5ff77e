import { describe, expect, it } from "vitest";
import { formatUsd } from "../core/index.js";
import { RunEvents } from "../runner/index.js";
import { formatCost } from "./money.js";
import { attachProgressLines, costPhrase, progressLine } from "./progress.js";
import type { RunTally } from "./run-tally.js";

const usage = { inputTokens: 1, outputTokens: 1 };

const NO_COST = { spentUsd: 0, pricedCalls: 0, unpricedCalls: 0 };

function tally(fields: Partial<RunTally>): RunTally {
  return { total: 0, done: 0, tokens: 0, errors: 0, unscored: 0, startedAt: 0, ...NO_COST, ...fields };
}

describe("progress lines (stderr not a terminal)", () => {
  it("says calls done of the total, errors, unscored, elapsed time and the estimate to finish", () => {
    expect(progressLine(tally({ total: 4800, done: 1200, errors: 3, unscored: 1 }), 130_000)).toBe(
      "progress: 1,200/4,800 calls (25.0 %), errors 3, unscored 1, elapsed 0:02:10, ETA 0:06:30, spent $0, estimated to finish unknown",
    );
    expect(progressLine(tally({ total: 10 }), 5_000)).toContain("ETA unknown");
  });

  it("counts run events, shrinks the total for dropped calls, and prints a last line when stopped", () => {
    const events = new RunEvents();
    const lines: string[] = [];
    let clock = 0;
    const stop = attachProgressLines(events, {
      write: (line) => lines.push(line),
      intervalMs: 60_000,
      now: () => clock,
    });
    events.emit("run-start", { runId: "r", conversations: 1, calls: 9 });
    events.emit("turn-end", {
      targetId: "t",
      itemId: "i",
      turnIndex: 0,
      status: "error",
      cached: false,
      usage,
      costUsd: 0,
    });
    events.emit("calls-dropped", { targetId: "t", itemId: "i", calls: 6, reason: "turn-error" });
    events.emit("judgment-end", {
      targetId: "t",
      itemId: "i",
      turnIndex: 0,
      judgeId: "j",
      status: "unscored",
      cached: false,
      usage,
      costUsd: 0.5,
    });
    clock = 3_000;
    stop();
    stop();
    expect(lines).toEqual([
      "progress: 2/3 calls (66.7 %), errors 1, unscored 1, elapsed 0:00:03, ETA 0:00:02, spent $0.50, estimated to finish $0.25",
    ]);
  });
});

describe("money in progress", () => {
  it("estimates the rest as spent per call made × calls left, labelled as an estimate", () => {
    // 4 calls made for $0.02: $0.005 a call, 6 calls left → $0.03.
    expect(costPhrase(tally({ total: 10, done: 4, spentUsd: 0.02, pricedCalls: 4 }))).toBe(
      "spent $0.02, estimated to finish $0.03",
    );
  });

  it("does not count skipped calls (resume) as calls made", () => {
    const events = new RunEvents();
    let clock = 0;
    const lines: string[] = [];
    const stop = attachProgressLines(events, {
      write: (line) => lines.push(line),
      intervalMs: 60_000,
      now: () => clock,
    });
    events.emit("run-start", { runId: "r", conversations: 1, calls: 4 });
    const turn = { targetId: "t", itemId: "i", turnIndex: 0, cached: false, usage } as const;
    events.emit("turn-end", { ...turn, status: "skipped", costUsd: 0 });
    events.emit("turn-end", { ...turn, status: "success", costUsd: 1 });
    clock = 1_000;
    stop();
    // One call made for $1, two left → $2 (the skipped call does not halve the rate).
    expect(lines[0]).toContain("spent $1.00, estimated to finish $2.00");
  });

  it("says only what was spent once no call is left", () => {
    expect(costPhrase(tally({ total: 4, done: 4, spentUsd: 0.02, pricedCalls: 4 }))).toBe("spent $0.02");
  });

  it("names unpriced calls and never counts them as $0", () => {
    expect(costPhrase(tally({ total: 10, done: 2, unpricedCalls: 2 }))).toBe("cost unpriced (2 calls)");
    expect(costPhrase(tally({ total: 10, done: 2, spentUsd: 0.1, pricedCalls: 1, unpricedCalls: 1 }))).toBe(
      "spent $0.10 + unpriced (1 call), estimated to finish $0.40 + unpriced calls",
    );
  });

  it("formats dollars as core's formatUsd: three significant digits below $1 (whole cents: two decimals), two decimals from $1", () => {
    expect(formatUsd(0.000015)).toBe("$0.000015");
    expect(formatUsd(0.0123456)).toBe("$0.0123");
    expect(formatUsd(0)).toBe("$0");
    expect(formatUsd(1234.567)).toBe("$1,234.57");
    expect(formatUsd(0.5)).toBe("$0.50");
    expect(formatCost(0, 0, 3)).toBe("unpriced (3 calls)");
    expect(formatCost(2, 5, 0)).toBe("$2.00");
  });
});
