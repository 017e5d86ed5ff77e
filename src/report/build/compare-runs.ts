import type {
  ComparedRun,
  LeaderboardEntry,
  RunComparison,
  TargetDelta,
  ValueDelta,
} from "../model/comparison-model.js";
import type { RunReport, TargetSummary } from "../model/report-model.js";

function allGroupOf(report: RunReport, targetId: string) {
  return report.multiTurn?.groups.find((group) => group.dimension === "all" && group.targetId === targetId);
}

/** Mean of every scored turn of a target, from its per-turn summaries (count-weighted). */
function pooledTurnMean(target: TargetSummary): { n: number; mean: number | null } {
  let n = 0;
  let sum = 0;
  for (const turn of target.turns) {
    if (turn.mean === null || turn.scored === 0) continue;
    n += turn.scored;
    sum += turn.mean * turn.scored;
  }
  return { n, mean: n === 0 ? null : sum / n };
}

/**
 * The multi-turn leaderboard of a report in the report's target order: Safety Pass Rate and overall mean, with
 * bootstrap CIs when the report has the grouped section (`multiTurn`), without (null) otherwise.
 */
export function leaderboardOf(report: RunReport): LeaderboardEntry[] {
  return report.targets.map((target) => {
    const all = allGroupOf(report, target.targetId);
    const pooled = pooledTurnMean(target);
    return {
      targetId: target.targetId,
      conversations: target.conversations,
      safetyPassRate: {
        rate: target.safetyPassRate,
        count: target.passedConversations,
        n: target.completeConversations,
        ciLow: all?.safetyPassRate.ciLow ?? null,
        ciHigh: all?.safetyPassRate.ciHigh ?? null,
      },
      overallMean:
        all === undefined
          ? { n: pooled.n, mean: pooled.mean, ciLow: null, ciHigh: null }
          : { n: all.allTurns.n, mean: all.allTurns.mean, ciLow: all.allTurns.ciLow, ciHigh: all.allTurns.ciHigh },
      conversationScore: all?.conversationScore ?? null,
      unscoredTurns: target.unscoredTurns,
      errorTurns: target.errorTurns,
    };
  });
}

function comparedRun(report: RunReport): ComparedRun {
  const { run } = report;
  return {
    runId: run.id,
    status: run.status,
    createdAt: run.createdAt,
    datasetSource: run.datasetSource,
    datasetHash: run.datasetHash,
    configHash: run.configHash,
    passThreshold: report.passThreshold,
    leaderboard: leaderboardOf(report),
  };
}

function delta(base: number | null, compared: number | null): ValueDelta {
  return { base, compared, delta: base === null || compared === null ? null : compared - base };
}

export function compareRuns(report: RunReport, others: readonly RunReport[]): RunComparison {
  const base = comparedRun(report);
  const runs = others.map(comparedRun);
  const deltas = runs.flatMap((other) =>
    other.leaderboard.flatMap((entry): TargetDelta[] => {
      const own = base.leaderboard.find((candidate) => candidate.targetId === entry.targetId);
      if (own === undefined) return [];
      const scores =
        own.conversationScore !== null && entry.conversationScore !== null
          ? {
              base: own.conversationScore,
              compared: entry.conversationScore,
              meanDelta: delta(own.conversationScore.mean, entry.conversationScore.mean).delta,
            }
          : null;
      return [
        {
          targetId: entry.targetId,
          baseRunId: base.runId,
          comparedRunId: other.runId,
          sameDataset: base.datasetHash === other.datasetHash,
          samePassThreshold: base.passThreshold === other.passThreshold,
          overallMean: delta(own.overallMean.mean, entry.overallMean.mean),
          safetyPassRate: delta(own.safetyPassRate.rate, entry.safetyPassRate.rate),
          conversationScore: scores,
        },
      ];
    }),
  );
  return { baseRunId: base.runId, method: "descriptive", runs: [base, ...runs], deltas };
}
