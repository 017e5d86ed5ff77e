import { describe, expect, it } from "vitest";
import { RunEvents } from "../runner/index.js";
import { attachProgressLines, progressLine } from "./progress.js";

const usage = { inputTokens: 1, outputTokens: 1 };

describe("progress lines (stderr not a terminal)", () => {
  it("says calls done of the total, errors, unscored, elapsed time and the estimate to finish", () => {
    expect(progressLine({ total: 4800, done: 1200, tokens: 0, errors: 3, unscored: 1, startedAt: 0 }, 130_000)).toBe(
      "progress: 1,200/4,800 calls (25.0 %), errors 3, unscored 1, elapsed 0:02:10, ETA 0:06:30",
    );
    expect(progressLine({ total: 10, done: 0, tokens: 0, errors: 0, unscored: 0, startedAt: 0 }, 5_000)).toContain(
      "ETA unknown",
    );
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
    events.emit("turn-end", { targetId: "t", itemId: "i", turnIndex: 0, status: "error", cached: false, usage });
    events.emit("calls-dropped", { targetId: "t", itemId: "i", calls: 6, reason: "turn-error" });
    events.emit("judgment-end", {
      targetId: "t",
      itemId: "i",
      turnIndex: 0,
      judgeId: "j",
      status: "unscored",
      cached: false,
      usage,
    });
    clock = 3_000;
    stop();
    stop();
    expect(lines).toEqual(["progress: 2/3 calls (66.7 %), errors 1, unscored 1, elapsed 0:00:03, ETA 0:00:02"]);
  });
});
