import { formatUsd } from "../core/index.js";
import { describeFailures, type RunHealth } from "../runner/index.js";
import { costLines } from "./cost-lines.js";
import type { Output } from "./output.js";
import type { SessionResult } from "./run-session.js";

/** Exit code of a run that finished but failed its end-of-run check (documented in main.ts and the README). */
export const EXIT_RUN_CHECK_FAILED = 4;

/**
 * What the user needs at the end of a run, on stderr whether or not it is a terminal: the calls that gave no result
 * by model and code, what the run cost (by role and model, unpriced calls named), the end-of-run check's problems,
 * and how to continue (`where` = the `-c`/`--store` flags the run used, so the hints act on the same store). Returns
 * the exit code: 130 cancelled, 4 check failed, else 0.
 */
export function reportRunEnd(result: SessionResult, where: string, output: Output): number {
  const suffix = where === "" ? "" : ` ${where}`;
  if (result.queued === true) {
    output.out(`run ${result.runId}: queued for workers`);
    output.out(`workers: npx medsafety worker${suffix.replace(/^ -c \S+/, " --store <the store's URL>")}`);
    output.out(`progress: npx medsafety runs show ${result.runId}${suffix}`);
    return 0;
  }
  for (const line of healthLines(result.health)) output.err(line);
  if (result.costs !== undefined) for (const line of costLines(result.costs)) output.err(line);
  output.out(
    `run ${result.runId}: ${result.status === "success" && result.health.problems.length > 0 ? "error (failed the end-of-run check)" : result.status}`,
  );
  output.out(`report: npx medsafety report --run ${result.runId}${suffix}`);
  if (result.status === "cancelled" && result.budget?.stopped === true) {
    const { maxCostUsd, spentUsd } = result.budget;
    output.out(
      `Stopped: the budget of ${formatUsd(maxCostUsd)} would be passed; spent ${formatUsd(spentUsd)}. Resume with a higher budget: npx medsafety run --resume ${result.runId} --max-cost <more>${suffix}`,
    );
    return 130;
  }
  if (result.status === "cancelled") {
    output.out(`resume: npx medsafety run --resume ${result.runId}${suffix}`);
    return 130;
  }
  if (result.health.problems.length > 0) {
    output.err("medsafety: the run failed its end-of-run check:");
    for (const problem of result.health.problems) output.err(`  - ${problem.message}`);
    output.err(
      `Every call and error is stored. Fix the cause (the model id, its server, its key, its context size), then call the failed ones again:`,
    );
    output.out(`resume: npx medsafety run --resume ${result.runId} --retry-errors${suffix}`);
    return EXIT_RUN_CHECK_FAILED;
  }
  if (result.health.errors > 0)
    output.out(`retry errors: npx medsafety run --resume ${result.runId} --retry-errors${suffix}`);
  return 0;
}

/** "calls: 120 (errors 12, unscored 3)" and one line per model with failures, by code. */
export function healthLines(health: RunHealth): string[] {
  const count = (value: number): string => value.toLocaleString("en-US");
  const lines = [
    `calls stored: ${count(health.calls)} (errors ${count(health.errors)}, unscored ${count(health.unscored)})`,
  ];
  for (const model of health.models) {
    if (model.failures.length === 0) continue;
    const verb = model.role === "judge" ? "scored" : "answered";
    lines.push(
      `  ${model.role} ${model.modelId}: ${count(model.ok)} of ${count(model.calls)} ${verb}; ${describeFailures(model)}`,
    );
  }
  return lines;
}
