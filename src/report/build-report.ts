import { mean, median, PairAgreementAccumulator, rate } from "../analysis/index.js";
import type { Db, RunRecord, RunRepository } from "../store/index.js";
import { buildAgreement } from "./build-agreement.js";
import { buildScaleSummaries } from "./build-scale-summary.js";
import { buildTradeoff } from "./build-tradeoff.js";
import { turnTests } from "./turn-tests.js";
import { buildMultiTurn, DEFAULT_GROUP_BY, type GroupableDimension } from "./build-multi-turn.js";
import { loadTurnTable, TURN_STATE, type TargetColumn, type TurnTable } from "./turn-table.js";
import type { BootstrapSettings } from "./multi-turn-model.js";
import { CONTENT_WARNING, type JudgePairSummary, type JudgeSummary, type RunReport, type TargetSummary, type TurnSummary } from "./report-model.js";

export interface ReportOptions {
  readonly passThreshold: number;
  /** Judge pairs count a disagreement when |a − b| exceeds this (default 3). */
  readonly disagreementThreshold?: number;
  /** Bootstrap confidence intervals: resamples, seed, confidence level. */
  readonly bootstrap?: BootstrapSettings;
  /** Grouping dimensions of the multi-turn statistics (default DEFAULT_GROUP_BY). */
  readonly groupBy?: readonly GroupableDimension[];
}

export const DEFAULT_BOOTSTRAP: BootstrapSettings = { resamples: 1000, seed: 1, confidence: 0.95 };

/** Builds a run's report from the store, streaming rows (nothing holds the whole run but per-turn score lists). */
export function buildRunReport(db: Db, runs: RunRepository, run: RunRecord, options: ReportOptions): RunReport {
  const targetIds = targetIdsOf(run);
  const table = loadTurnTable(db, run);
  const hasMultiTurn = table.itemIds.length > 0;
  return {
    contentWarning: CONTENT_WARNING,
    run: {
      id: run.id, status: run.status, createdAt: run.createdAt, finishedAt: run.finishedAt, datasetSource: run.datasetSource,
      datasetHash: run.datasetHash, configHash: run.configHash, rubrics: run.rubrics, packageVersion: run.packageVersion,
      usage: runs.usage(run.id),
    },
    passThreshold: options.passThreshold,
    targets: hasMultiTurn ? table.targets.map((target) => summariseTarget(db, run, table, target, options.passThreshold)) : [],
    multiTurn: buildMultiTurn(table, {
      passThreshold: options.passThreshold,
      bootstrap: options.bootstrap ?? DEFAULT_BOOTSTRAP,
      groupBy: options.groupBy ?? DEFAULT_GROUP_BY,
    }),
    judges: summariseJudges(db, run),
    judgePairs: summarisePairs(db, run, options.disagreementThreshold ?? 3),
    scales: buildScaleSummaries(db, run, targetIds),
    tradeoff: buildTradeoff(db, run, targetIds),
    agreement: buildAgreement(db, run, table),
  };
}

function targetIdsOf(run: RunRecord): string[] {
  const config = run.config as { targets?: Array<{ id: string }> };
  return (config.targets ?? []).map((target) => target.id);
}

function judgeIdsOf(run: RunRecord): string[] {
  const config = run.config as { judges?: Array<{ id: string }> };
  return (config.judges ?? []).map((judge) => judge.id);
}

function summariseTarget(db: Db, run: RunRecord, table: TurnTable, target: TargetColumn, threshold: number): TargetSummary {
  const { turns: maxTurns } = table;
  const perTurn = Array.from({ length: maxTurns }, () => ({ scores: [] as number[], unscored: 0, errors: 0, notReached: 0 }));
  const byConversation: Array<Array<number | undefined>> = [];
  let complete = 0;
  let passed = 0;
  table.itemIds.forEach((_, item) => {
    const count = table.turnCounts[item] ?? 0;
    const scores: Array<number | undefined> = [];
    let scored = 0;
    let allPass = true;
    for (let turn = 0; turn < count; turn += 1) {
      const slot = perTurn[turn];
      const state = target.states[item * maxTurns + turn];
      if (slot === undefined) continue;
      if (state === TURN_STATE.scored) {
        const score = target.scores[item * maxTurns + turn] ?? Number.NaN;
        slot.scores.push(score);
        scores[turn] = score;
        scored += 1;
        if (!(score > threshold)) allPass = false;
      } else if (state === TURN_STATE.error) slot.errors += 1;
      else if (state === TURN_STATE.unscored) slot.unscored += 1;
      else slot.notReached += 1;
    }
    byConversation.push(scores);
    if (scored === count && count > 0) {
      complete += 1;
      if (allPass) passed += 1;
    }
  });
  const turns = perTurn.map((slot, turn): TurnSummary => ({
    turn, scored: slot.scores.length, mean: mean(slot.scores), median: median(slot.scores), unscored: slot.unscored,
    errors: slot.errors, notReached: slot.notReached,
  }));
  return {
    targetId: target.targetId, conversations: table.itemIds.length, completeConversations: complete, passedConversations: passed,
    safetyPassRate: rate(passed, complete), turns,
    unscoredTurns: turns.reduce((sum, turn) => sum + turn.unscored, 0),
    errorTurns: turns.reduce((sum, turn) => sum + turn.errors, 0),
    turnTests: turnTests(perTurn.map((slot) => slot.scores), byConversation),
    judgments: judgmentCounts(db, run.id, "target_id", target.targetId),
  };
}

function judgmentCounts(db: Db, runId: string, column: "target_id" | "judge_id", value: string): { scored: number; unscored: number; errors: number } {
  const row = db.prepare(
    `SELECT COALESCE(SUM(status = 'scored'), 0) AS scored, COALESCE(SUM(status = 'unscored'), 0) AS unscored,
       COALESCE(SUM(status = 'error'), 0) AS errors FROM judgments WHERE run_id = ? AND ${column} = ?`,
  ).get(runId, value) as { scored: number; unscored: number; errors: number };
  return row;
}

function rubricsUsed(db: Db, runId: string): string[] {
  return db.prepare("SELECT DISTINCT rubric_id FROM judgments WHERE run_id = ? ORDER BY rubric_id").pluck().all(runId) as string[];
}

/** Per judge and rubric (scores on different scales are never averaged together). */
function summariseJudges(db: Db, run: RunRecord): JudgeSummary[] {
  const statement = db.prepare(
    `SELECT COALESCE(SUM(status = 'scored'), 0) AS scored, COALESCE(SUM(status = 'unscored'), 0) AS unscored,
       COALESCE(SUM(status = 'error'), 0) AS errors, AVG(CASE WHEN status = 'scored' THEN score END) AS mean
     FROM judgments WHERE run_id = ? AND judge_id = ? AND rubric_id = ?`,
  );
  return rubricsUsed(db, run.id).flatMap((rubricId) => judgeIdsOf(run).map((judgeId) => ({
    judgeId, rubricId, ...(statement.get(run.id, judgeId, rubricId) as { scored: number; unscored: number; errors: number; mean: number | null }),
  })));
}

function summarisePairs(db: Db, run: RunRecord, threshold: number): JudgePairSummary[] {
  const judgeIds = judgeIdsOf(run);
  const pairs: JudgePairSummary[] = [];
  const statement = db.prepare(
    `SELECT a.score AS first, b.score AS second FROM judgments a JOIN judgments b ON b.turn_key = a.turn_key
     WHERE a.run_id = ? AND a.judge_id = ? AND b.judge_id = ? AND a.rubric_id = ? AND b.rubric_id = a.rubric_id
       AND a.status = 'scored' AND b.status = 'scored'`,
  );
  for (const rubricId of rubricsUsed(db, run.id)) {
    judgeIds.forEach((first, index) => {
      for (const second of judgeIds.slice(index + 1)) {
        const accumulator = new PairAgreementAccumulator(threshold);
        for (const row of statement.iterate(run.id, first, second, rubricId) as Iterable<{ first: number; second: number }>) accumulator.add(row.first, row.second);
        pairs.push({ judges: [first, second], rubricId, threshold, ...accumulator.result() });
      }
    });
  }
  return pairs;
}
