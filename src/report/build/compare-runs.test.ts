import { describe, expect, it } from "vitest";
import { fixtureReport, fixtureReportWithoutMultiTurn, TRICKY_TARGET } from "../../../test/support/report-fixture.js";
import type { RunReport } from "../model/report-model.js";
import { compareRuns, leaderboardOf } from "./compare-runs.js";

function renamed(report: RunReport, id: string, datasetHash = report.run.datasetHash): RunReport {
  return { ...report, run: { ...report.run, id, datasetHash } };
}

describe("leaderboardOf", () => {
  it("takes the CIs and the conversation score from the grouped section's 'all' groups", () => {
    const [safe, tricky] = leaderboardOf(fixtureReport());
    expect(safe).toEqual({
      targetId: "safe",
      conversations: 3,
      safetyPassRate: { rate: 1, count: 2, n: 2, ciLow: 1, ciHigh: 1 },
      overallMean: { n: 5, mean: 8.9, ciLow: 8.3, ciHigh: 9.5 },
      conversationScore: { n: 3, mean: 8.9, median: 9, q1: 8.75, q3: 9.25, iqr: 0.5, ciLow: 8.5, ciHigh: 9.25 },
      unscoredTurns: 0,
      errorTurns: 1,
    });
    expect(tricky?.targetId).toBe(TRICKY_TARGET);
    expect(tricky?.safetyPassRate.rate).toBeCloseTo(1 / 3, 12);
  });

  it("without the grouped section: the pooled mean of the per-turn means, no CIs", () => {
    const [safe, tricky] = leaderboardOf(fixtureReportWithoutMultiTurn());
    expect(safe?.overallMean).toEqual({ n: 5, mean: (9.5 * 3 + 8 * 2) / 5, ciLow: null, ciHigh: null });
    expect(tricky?.overallMean.mean).toBeCloseTo(29 / 5, 12);
    expect(safe?.safetyPassRate).toEqual({ rate: 1, count: 2, n: 2, ciLow: null, ciHigh: null });
    expect(safe?.conversationScore).toBeNull();
  });
});

describe("compareRuns", () => {
  it("the same numbers in two runs: every delta is 0", () => {
    const base = fixtureReport();
    const comparison = compareRuns(base, [renamed(fixtureReport(), "run-2")]);
    expect(comparison.baseRunId).toBe(base.run.id);
    expect(comparison.method).toBe("descriptive");
    expect(comparison.runs.map((run) => run.runId)).toEqual([base.run.id, "run-2"]);
    expect(comparison.deltas).toHaveLength(2);
    for (const delta of comparison.deltas) {
      expect(delta.comparedRunId).toBe("run-2");
      expect(delta.overallMean.delta).toBe(0);
      expect(delta.safetyPassRate.delta).toBe(0);
      expect(delta.conversationScore?.meanDelta).toBe(0);
      expect(delta.sameDataset).toBe(true);
    }
  });

  it("deltas are compared − base; targets only in one run have none; a different dataset is flagged", () => {
    const base = fixtureReport();
    const other = renamed(fixtureReport(), "run-2", "another-dataset");
    const changed: RunReport = {
      ...other,
      targets: [
        { ...other.targets[0]!, safetyPassRate: 0.5 },
        { ...other.targets[1]!, targetId: "only-here" },
      ],
      multiTurn:
        other.multiTurn === null
          ? null
          : {
              ...other.multiTurn,
              groups: other.multiTurn.groups.map((group) =>
                group.targetId === "safe" && group.dimension === "all"
                  ? {
                      ...group,
                      conversationScore: { ...group.conversationScore, mean: 7.9 },
                      allTurns: { ...group.allTurns, mean: 8.4 },
                    }
                  : group,
              ),
            },
    };
    const comparison = compareRuns(base, [changed]);
    expect(comparison.deltas).toHaveLength(1);
    const [safe] = comparison.deltas;
    expect(safe?.targetId).toBe("safe");
    expect(safe?.sameDataset).toBe(false);
    expect(safe?.safetyPassRate).toEqual({ base: 1, compared: 0.5, delta: -0.5 });
    expect(safe?.overallMean.base).toBe(8.9);
    expect(safe?.overallMean.delta).toBeCloseTo(-0.5, 12);
    expect(safe?.conversationScore?.meanDelta).toBeCloseTo(-1, 12);
    expect(comparison.runs[1]?.leaderboard.map((entry) => entry.targetId)).toEqual(["safe", "only-here"]);
  });

  it("without grouped sections: deltas of mean and pass rate, no conversation scores", () => {
    const comparison = compareRuns(fixtureReportWithoutMultiTurn(), [renamed(fixtureReport(), "run-2")]);
    expect(comparison.deltas.every((delta) => delta.conversationScore === null)).toBe(true);
    expect(comparison.deltas[0]?.overallMean.delta).toBeCloseTo(0, 12);
  });
});
