import Table from "cli-table3";
import type { RunReport } from "./report-model.js";

/** No ANSI colours: reports are read in terminals, pasted in papers and piped to files alike. */
export const PLAIN = { head: [], border: [] };

function number(value: number | null, digits = 2): string {
  return value === null ? "–" : value.toFixed(digits);
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
    "",
    targetTable(report),
    "",
    judgeTable(report),
  ];
  if (report.judgePairs.length > 0) lines.push("", pairTable(report));
  return lines.join("\n");
}

function targetTable(report: RunReport): string {
  const turnCount = Math.max(0, ...report.targets.map((target) => target.turns.length));
  const turnHeads = Array.from({ length: turnCount }, (_, turn) => `turn ${turn} mean / median`);
  const table = new Table({ style: PLAIN, head: ["target", "n", ...turnHeads, `pass rate (> ${report.passThreshold})`, "unscored", "errors"] });
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

function judgeTable(report: RunReport): string {
  const table = new Table({ style: PLAIN, head: ["judge", "scored", "unscored", "errors", "mean"] });
  for (const judge of report.judges) table.push([judge.judgeId, judge.scored, judge.unscored, judge.errors, number(judge.mean)]);
  return table.toString();
}

function pairTable(report: RunReport): string {
  const table = new Table({ style: PLAIN, head: ["judge pair", "n", "mean |a−b|", "disagreements > 3"] });
  for (const pair of report.judgePairs) {
    table.push([pair.judges.join(" × "), pair.n, number(pair.meanAbsoluteDifference), pair.disagreements]);
  }
  return table.toString();
}
