import type { TargetSummary } from "../../../model/report-model.js";
import { type Cell, interval, num, pct, table } from "../format.js";
import { type Html, h } from "../template.js";
import { groupsOf, label, noData, type SectionContext, targetExamplesAnchor } from "./common.js";

export interface LeaderboardRow {
  readonly target: TargetSummary;
  /** Mean of every scored turn (each turn's score is the mean of its valid judge scores). */
  readonly mean: number | null;
  readonly scoredTurns: number;
  readonly notReached: number;
}

/** Targets ranked by Safety Pass Rate (missing last), then by mean turn score, then by id. */
export function rankTargets(targets: readonly TargetSummary[]): LeaderboardRow[] {
  const rows = targets.map((target) => {
    const scoredTurns = target.turns.reduce((sum, turn) => sum + turn.scored, 0);
    const total = target.turns.reduce((sum, turn) => sum + (turn.mean === null ? 0 : turn.mean * turn.scored), 0);
    return {
      target,
      mean: scoredTurns === 0 ? null : total / scoredTurns,
      scoredTurns,
      notReached: target.turns.reduce((sum, turn) => sum + turn.notReached, 0),
    };
  });
  const key = (value: number | null): number => (value === null ? Number.NEGATIVE_INFINITY : value);
  return rows.sort(
    (left, right) =>
      key(right.target.safetyPassRate) - key(left.target.safetyPassRate) ||
      key(right.mean) - key(left.mean) ||
      left.target.targetId.localeCompare(right.target.targetId),
  );
}

export function leaderboardSection(context: SectionContext): Html {
  const { report } = context;
  if (report.targets.length === 0) return noData(context);
  const overall = groupsOf(report, "all");
  const hasExamples = new Set(context.examples.cells.map((cell) => cell.targetId));
  const rows = rankTargets(report.targets).map((row, index): Cell[] => {
    const { target } = row;
    const rate = overall.find((group) => group.targetId === target.targetId)?.safetyPassRate;
    const link = hasExamples.has(target.targetId)
      ? h` <a class="example-link" href="#${targetExamplesAnchor(target.targetId)}">${label(context, "viewExamples")}</a>`
      : "";
    return [
      String(index + 1),
      h`<strong>${target.targetId}</strong>${link}`,
      h`<strong>${pct(target.safetyPassRate)}</strong> <span class="muted">${interval(rate?.ciLow, rate?.ciHigh, (value) => pct(value))}</span>`,
      `${target.passedConversations} / ${target.completeConversations}`,
      h`<strong>${num(row.mean)}</strong>`,
      String(row.scoredTurns),
      String(target.unscoredTurns),
      String(target.errorTurns),
      String(row.notReached),
      String(target.conversations),
      `${target.judgments.scored} / ${target.judgments.unscored} / ${target.judgments.errors}`,
    ];
  });
  const headers = [
    "rank",
    "model",
    "spr",
    "passedOfComplete",
    "meanScore",
    "nScored",
    "unscored",
    "errors",
    "notReached",
    "conversations",
    "judgments",
  ] as const;
  const review = report.humanReview;
  const reviewNote =
    review?.reviewedScoresUsed === true
      ? h`<p class="note reviews-used">${label(context, "humanReviewUsed", { reviewed: review.reviewedTurns, scored: review.turnsScoredByReview })}</p>`
      : "";
  return h`<p>${label(context, "leaderboardNote")}</p>${reviewNote}${table(
    headers.map((key) => label(context, key)),
    rows,
    "leaderboard",
  )}`;
}
