import type { LoadedConfig } from "../config/index.js";
import { errorMessage, MedsafetyError, newRunId, packageVersion } from "../core/index.js";
import {
  GenerationEvents,
  type GenerationFailure,
  GenerationJob,
  type GenerationJobSummary,
  SAFE_REPLY_TASK_KINDS,
  type SafeReplyErrorCount,
  type SafeReplyThresholds,
  SafeReplyWriter,
  type TaskKindSummary,
} from "../generation/index.js";
import { RubricSet } from "../judges/index.js";
import { GenerationRepository, type RunRecord } from "../store/index.js";
import type { SafeResponder, SafeResponderTasks } from "../training-data/index.js";
import { bindSafeResponder } from "./bind-safe-responder.js";
import { printFailures } from "./commands/generation-flags.js";
import { attachGenerationProgress } from "./generation-progress.js";
import { formatUsage, jobUsage } from "./generation-session.js";
import { listenForInterrupt } from "./interrupt.js";
import type { Stores } from "./open-store.js";
import type { Output } from "./output.js";
import { safeReplyJudges } from "./safe-reply-judges.js";

/** The command name of the generation run that records an export's safe-responder and verdict tasks. */
export const SAFE_RESPONDER_COMMAND = "export-sft-safe-responder";

export interface SafeResponderSessionOptions {
  readonly loaded: LoadedConfig;
  /** The run whose failing turns get safe replies. */
  readonly run: RunRecord;
  readonly stores: Stores;
  readonly thresholds: SafeReplyThresholds;
  /** Calls per task when the reply is empty or the verdict is not valid (then stored as failed). */
  readonly maxAttempts: number;
  readonly progress: boolean;
  /** The export's other parameters, recorded with the generation run. */
  readonly params: Readonly<Record<string, unknown>>;
}

/** What the summary prints after the export: the generation run, counts per task kind, errors, the first failures. */
export interface SafeResponderReport {
  readonly generationRunId: string;
  readonly job: GenerationJobSummary;
  readonly failures: readonly GenerationFailure[];
  readonly failureTotal: number;
  readonly errors: readonly SafeReplyErrorCount[];
}

/**
 * Runs an export with the safe responder as a generation job: binds the config's `safeResponder` and the run's
 * judges, records a generation run (`export-sft-safe-responder`, with its parameters), stores every reply and
 * verdict as a keyed task (stored successes reused, failed and errored ones called again), renders progress on a
 * terminal, and turns Ctrl-C into a stop (calls in flight settle and are stored; a second Ctrl-C aborts them). A
 * stopped export writes no file, prints what is stored and throws `cancelled` (exit 130).
 */
export async function withSafeResponder<T>(
  options: SafeResponderSessionOptions,
  output: Output,
  body: (responder: SafeResponder) => Promise<T>,
): Promise<{ readonly result: T; readonly report: SafeResponderReport }> {
  const { loaded, run, stores, thresholds } = options;
  const bound = bindSafeResponder(loaded.config, loaded.path, loaded.lineOf, run);
  const generations = new GenerationRepository(stores.db);
  const interrupt = listenForInterrupt(output, "stored");
  const runId = newRunId();
  const events = new GenerationEvents();
  const job = new GenerationJob({
    runId,
    store: generations,
    events,
    concurrency: loaded.config.concurrency,
    maxAttempts: options.maxAttempts,
    stopSignal: interrupt.stop,
    abortSignal: interrupt.abort,
  });
  const writer = new SafeReplyWriter({
    writer: bound.writer,
    prompt: bound.prompt,
    judges: safeReplyJudges(bound.judges, new RubricSet()),
    thresholds,
    job,
    events,
  });
  const judgeIds = bound.judges.map((judge) => judge.id);
  const taskSummary = (): SafeResponderTasks => ({
    generationRunId: runId,
    tasks: taskKinds(job.summary()),
    errorsByModel: writer.failures().errors,
  });
  const responder: SafeResponder = {
    modelId: bound.writer.spec,
    promptId: bound.prompt.id,
    promptVersion: bound.prompt.version,
    judgeIds,
    ...thresholds,
    write: (missing) =>
      writer.write({
        subject: missing.origin,
        language: missing.language,
        rubric: missing.rubric,
        turnIndex: missing.turnIndex,
        conversation: missing.conversation,
      }),
    taskSummary,
  };
  const report = (): SafeResponderReport => {
    const failures = writer.failures();
    return {
      generationRunId: runId,
      job: job.summary(),
      failures: failures.list,
      failureTotal: failures.total,
      errors: failures.errors,
    };
  };
  const detachProgress = options.progress && output.isTTY ? attachGenerationProgress(events) : () => undefined;
  let progressShown = true;
  const stopProgress = (): void => {
    if (progressShown) detachProgress();
    progressShown = false;
  };
  try {
    generations.createRun({
      id: runId,
      command: SAFE_RESPONDER_COMMAND,
      packageVersion: packageVersion(),
      params: {
        ...options.params,
        sourceRun: run.id,
        ...thresholds,
        maxAttempts: options.maxAttempts,
        safeResponder: bound.writer.spec,
        safeResponderId: bound.writer.id,
        prompt: `${bound.prompt.id}@${bound.prompt.version}`,
        judges: judgeIds,
        judgeModels: bound.judges.map((judge) => judge.model.spec),
      },
    });
    output.err(`safe responder: generation run ${runId} (store ${stores.path})`);
    events.emit("job-start", { command: SAFE_RESPONDER_COMMAND, tasks: 0 });
    let result: T;
    try {
      result = await body(responder);
    } catch (error) {
      stopProgress();
      const cancelled = interrupt.stop.aborted;
      generations.finishRun(runId, cancelled ? "cancelled" : "error", summaryOf(taskSummary()), errorMessage(error));
      if (!cancelled) throw error;
      printSafeResponderReport(output, report());
      throw new MedsafetyError(
        "cancelled",
        `export sft stopped: no output file was written. The replies and verdicts finished so far are stored ` +
          `(generation run ${runId}); run the same command again to resume (stored ones are reused, failed and errored ones asked again).`,
        { cause: error },
      );
    }
    stopProgress();
    generations.finishRun(runId, "success", summaryOf(taskSummary()));
    return { result, report: report() };
  } finally {
    stopProgress();
    interrupt.dispose();
    await bound.close();
  }
}

/** Lines after the export's summary: the stored tasks per kind, errors by model and code, the first failures. */
export function printSafeResponderReport(output: Output, report: SafeResponderReport): void {
  const kinds = Object.entries(taskKinds(report.job)).map(
    ([kind, counts]) =>
      `${kind}: ${counts.generated} generated, ${counts.reused} reused, ${counts.failed} failed, ${counts.errors} errors`,
  );
  output.out(
    `safe responder tasks (generation run ${report.generationRunId}): ${kinds.join("; ")}; ${formatUsage(jobUsage(report.job))}`,
  );
  if (report.errors.length > 0) output.out(`errors by model and code: ${report.errors.map(errorCountText).join(", ")}`);
  printFailures(output, report.failures, report.failureTotal);
}

/** "safe-writer provider_http (HTTP 500) ×2" */
export function errorCountText(error: SafeReplyErrorCount): string {
  return `${error.model} ${error.code}${error.httpStatus === null ? "" : ` (HTTP ${error.httpStatus})`} ×${error.count}`;
}

/** Both task kinds, zero when none ran (a manifest always names them). */
function taskKinds(summary: GenerationJobSummary): Record<string, TaskKindSummary> {
  return Object.fromEntries(
    SAFE_REPLY_TASK_KINDS.map((kind) => [
      kind,
      { ...(summary.byKind[kind] ?? { generated: 0, reused: 0, failed: 0, errors: 0 }) },
    ]),
  );
}

function summaryOf(summary: SafeResponderTasks): unknown {
  return { tasks: summary.tasks, errorsByModel: summary.errorsByModel };
}
