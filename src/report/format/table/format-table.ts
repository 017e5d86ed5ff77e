import Table from "cli-table3";
import { turnNumber, turnPairLabel } from "../../../core/index.js";
import { codesOf } from "../../build/not-available.js";
import { notAvailableCell, notAvailableNotes } from "../../messages/not-available.js";
import type { HumanReviewSummary } from "../../model/agreement-model.js";
import type { MultiTurnStatistics } from "../../model/multi-turn-model.js";
import type { NotAvailable } from "../../model/not-available-model.js";
import type { RunReport } from "../../model/report-model.js";
import type { ScaleSummary } from "../../model/scale-model.js";
import { pStatement } from "../p-value.js";

/** No ANSI colours: reports are read in terminals, pasted in papers and piped to files alike. */
const PLAIN = { head: [], border: [] };

function number(value: number | null, digits = 2): string {
  return value === null ? "–" : value.toFixed(digits);
}

/** A reliability coefficient with 3 decimals, or "n/a (reason)" when the report says why it has none. */
function coefficient(value: number | null, reason: NotAvailable | undefined): string {
  return value === null && reason !== undefined ? notAvailableCell(reason.code, "en") : number(value, 3);
}

function percent(value: number | null): string {
  return value === null ? "–" : `${(value * 100).toFixed(1)}%`;
}

/** The run report as plain-text tables for the terminal. */
export function formatReportTable(report: RunReport): string {
  const { run } = report;
  const lines = [
    report.contentWarning,
    "",
    `Run ${run.id}  status: ${run.status}  dataset: ${run.datasetSource} (${run.datasetHash.slice(0, 12)})`,
    `Rubrics: ${run.rubrics.map((rubric) => `${rubric.id}@${rubric.version}`).join(", ")}  medsafety ${run.packageVersion}`,
    `Calls: ${run.usage.targetCalls} target, ${run.usage.judgeCalls} judge (${run.usage.cachedCalls} cached); tokens in ${run.usage.inputTokens}, out ${run.usage.outputTokens}`,
  ];
  if (report.targets.length > 0) {
    lines.push(
      "",
      "Multi-turn safety (0-10, higher is safer; turn score = mean of judges):",
      targetTable(report),
      ...declineLines(report),
    );
  }
  if (report.humanReview !== undefined) lines.push("", reviewLine(report.humanReview));
  if (report.multiTurn !== null) lines.push("", ...leaderboardLines(report.multiTurn));
  for (const scale of report.scales) lines.push("", scaleTable(scale));
  if (report.tradeoff.some((point) => point.counts.helpfulness > 0)) lines.push("", tradeoffTable(report));
  lines.push("", judgeTable(report));
  if (report.judgePairs.length > 0) lines.push("", pairTable(report));
  if (report.agreement.length > 0) lines.push("", agreementTable(report));
  if (report.humanReview !== undefined) lines.push("", humanAgreementTable(report.humanReview));
  return lines.join("\n");
}

/** Says how many turns were reviewed and whether their reviews scored them. */
export function reviewLine(review: HumanReviewSummary): string {
  return review.reviewedScoresUsed
    ? `Human review: ${review.reviewedTurns} turn(s) reviewed; reviewed scores used (--use-reviews): ${review.turnsScoredByReview} turn score(s) are the latest review's, not the judges' mean.`
    : `Human review: ${review.reviewedTurns} turn(s) reviewed; scores are the judges' mean (add --use-reviews to score reviewed turns by their review).`;
}

function humanAgreementTable(review: HumanReviewSummary): string {
  const table = new Table({ style: PLAIN, head: ["rater", "n", "mean |rater − human|", "ICC(2,1)", "weighted κ"] });
  for (const entry of review.agreement) {
    table.push([
      entry.kind === "judges-mean" ? "mean of judges" : entry.rater,
      entry.n,
      number(entry.meanAbsoluteDifference),
      coefficient(entry.icc21, entry.notAvailable?.icc21),
      coefficient(entry.kappa, entry.notAvailable?.kappa),
    ]);
  }
  return [
    `Judge vs human (${review.rubricId}, over ${review.reviewedTurns} reviewed turn(s)):`,
    table.toString(),
    ...notAvailableNotes(codesOf(review.agreement), "en"),
  ].join("\n");
}

function targetTable(report: RunReport): string {
  const turnCount = Math.max(0, ...report.targets.map((target) => target.turns.length));
  const turnHeads = Array.from({ length: turnCount }, (_, turn) => `turn ${turnNumber(turn)} mean / median`);
  const table = new Table({
    style: PLAIN,
    head: ["target", "n", ...turnHeads, `pass rate (> ${report.passThreshold})`, "unscored", "errors"],
  });
  for (const target of report.targets) {
    const turns = Array.from({ length: turnCount }, (_, index) => {
      const turn = target.turns[index];
      return turn === undefined ? "–" : `${number(turn.mean)} / ${number(turn.median, 1)}`;
    });
    table.push([
      target.targetId,
      String(target.conversations),
      ...turns,
      `${percent(target.safetyPassRate)} (${target.passedConversations}/${target.completeConversations})`,
      String(target.unscoredTurns),
      String(target.errorTurns),
    ]);
  }
  return table.toString();
}

function declineLines(report: RunReport): string[] {
  return report.targets.map((target) => {
    const pairs = target.turnTests.pairs.map((pair) => {
      const p = pStatement(pair.mannWhitney?.pBonferroni, { name: "p(MWU, Bonferroni)", compact: true });
      return `${turnPairLabel(pair.from, pair.to)} d=${number(pair.cohensD)} ${p}`;
    });
    const friedman =
      target.turnTests.friedman === null
        ? ""
        : `; Friedman χ²=${number(target.turnTests.friedman.statistic)} ${pStatement(target.turnTests.friedman.pValue, { compact: true })} (n=${target.turnTests.friedman.n})`;
    return `  ${target.targetId} turn decline: ${pairs.join(", ")}${friedman}`;
  });
}

function tradeoffTable(report: RunReport): string {
  const table = new Table({
    style: PLAIN,
    head: [
      "target",
      "language",
      "safety (0-10)",
      "harmfulness (1-5)",
      "over-refusal (helpfulness ≤ 2)",
      "labelled refuse",
      "helpfulness (0-10)",
    ],
  });
  for (const point of report.tradeoff) {
    table.push([
      point.targetId,
      point.language,
      number(point.safety),
      number(point.harmfulness),
      percent(point.overRefusal),
      percent(point.refusedLabel),
      number(point.helpfulness),
    ]);
  }
  return ["Safety vs over-refusal (a model that refuses everything looks safe but useless):", table.toString()].join(
    "\n",
  );
}

function judgeTable(report: RunReport): string {
  const table = new Table({ style: PLAIN, head: ["judge", "rubric", "scored", "unscored", "errors", "mean"] });
  for (const judge of report.judges)
    table.push([judge.judgeId, judge.rubricId, judge.scored, judge.unscored, judge.errors, number(judge.mean)]);
  return table.toString();
}

function meanSem(group: { mean: number | null; sem: number | null }): string {
  return group.sem === null ? number(group.mean) : `${number(group.mean)} ± ${number(group.sem)}`;
}

function scaleTable(scale: ScaleSummary): string {
  const { rubric } = scale;
  const direction =
    rubric.scale === undefined
      ? ""
      : `, ${rubric.scale.min}-${rubric.scale.max}, ${rubric.scale.higherIsSafer ? "higher is better" : "higher is worse"}`;
  const flag =
    rubric.flagAtOrAbove !== undefined
      ? `share ≥ ${rubric.flagAtOrAbove}`
      : rubric.flagAtOrBelow !== undefined
        ? `share ≤ ${rubric.flagAtOrBelow}`
        : "flagged";
  const table = new Table({
    style: PLAIN,
    head: ["target", "n", "mean ± SEM", "median", flag, "unscored", "by source (mean ± SEM)"],
  });
  for (const target of scale.targets) {
    const sources = target.bySource.map((group) => `${group.key} ${meanSem(group)} (n=${group.n})`).join("; ");
    table.push([
      target.key,
      target.n,
      meanSem(target),
      number(target.median, 1),
      percent(target.flaggedShare),
      target.unscoredTurns,
      sources,
    ]);
  }
  const lines = [`Rubric ${rubric.id}@${rubric.version}${direction} (turn score = mean of judges):`, table.toString()];
  for (const comparison of scale.medicalVsGeneral) {
    lines.push(
      `  medical ${comparison.medical} vs general ${comparison.general}: mean difference ${number(comparison.meanDifference)}, ` +
        `Mann-Whitney U = ${comparison.u}, ${pStatement(comparison.pValue)}, ${pStatement(comparison.pBonferroni, { name: "Bonferroni p" })}`,
    );
  }
  return lines.join("\n");
}

function agreementTable(report: RunReport): string {
  const table = new Table({
    style: PLAIN,
    head: [
      "rubric",
      "turns (complete / incomplete)",
      "ICC(2,1)",
      "mean of judges (Spearman-Brown)",
      "Krippendorff α",
      "weighted κ per pair",
    ],
  });
  for (const entry of report.agreement) {
    const kappas = entry.pairs
      .map((pair) => `${pair.judges.join(" × ")} ${coefficient(pair.kappa, pair.notAvailable?.kappa)}`)
      .join("; ");
    const reasons = entry.notAvailable;
    table.push([
      entry.rubricId,
      `${entry.completeTurns} / ${entry.incompleteTurns}`,
      coefficient(entry.icc21, reasons?.icc21),
      coefficient(entry.meanReliability, reasons?.meanReliability),
      coefficient(entry.krippendorffAlpha, reasons?.krippendorffAlpha),
      kappas,
    ]);
  }
  const codes = codesOf(report.agreement.flatMap((entry) => [entry, ...entry.pairs]));
  return ["Judge agreement:", table.toString(), ...notAvailableNotes(codes, "en")].join("\n");
}

function pairTable(report: RunReport): string {
  const table = new Table({ style: PLAIN, head: ["judge pair", "rubric", "n", "mean |a−b|", "disagreements > 3"] });
  for (const pair of report.judgePairs) {
    table.push([
      pair.judges.join(" × "),
      pair.rubricId,
      pair.n,
      number(pair.meanAbsoluteDifference),
      pair.disagreements,
    ]);
  }
  return table.toString();
}

/** Targets ranked by Safety Pass Rate, then conversation score, with bootstrap intervals; then each dimension in one line per group. */
function leaderboardLines(statistics: MultiTurnStatistics): string[] {
  const interval = (low: number | null, high: number | null, format: (value: number | null) => string): string =>
    low === null || high === null ? "" : ` [${format(low)}, ${format(high)}]`;
  const overall = statistics.groups.filter((group) => group.dimension === "all");
  const ranked = [...overall].sort(
    (left, right) =>
      (right.safetyPassRate.rate ?? -1) - (left.safetyPassRate.rate ?? -1) ||
      (right.conversationScore.mean ?? -1) - (left.conversationScore.mean ?? -1),
  );
  const table = new Table({
    style: PLAIN,
    head: [
      "#",
      "target",
      "pass rate [95% CI]",
      "conversation score [95% CI]",
      "median (IQR)",
      "n",
      "unscored",
      "errors",
    ],
  });
  for (const [index, group] of ranked.entries())
    table.push([
      String(index + 1),
      group.targetId ?? "",
      `${percent(group.safetyPassRate.rate)}${interval(group.safetyPassRate.ciLow, group.safetyPassRate.ciHigh, percent)}`,
      `${number(group.conversationScore.mean)}${interval(group.conversationScore.ciLow, group.conversationScore.ciHigh, number)}`,
      `${number(group.conversationScore.median)} (${number(group.conversationScore.iqr)})`,
      String(group.conversations),
      String(group.allTurns.unscored),
      String(group.allTurns.errors),
    ]);
  const { resamples, seed, confidence } = statistics.bootstrap;
  return [
    `Leaderboard (percentile bootstrap, ${resamples} resamples, seed ${seed}, ${Math.round(confidence * 100)}% intervals; more groupings in --format md|html|json):`,
    table.toString(),
  ];
}
