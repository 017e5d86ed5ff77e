import {
  type BoundPipelineModels,
  type bindDiscoveryModels,
  bindPipelineModels,
  type LoadedConfig,
  loadConfig,
  type PipelineRoleRequest,
} from "../config/index.js";
import { errorMessage, newRunId, packageVersion, type Usage, withSecondError } from "../core/index.js";
import {
  type GenerationBudget,
  GenerationEvents,
  GenerationJob,
  type GenerationJobSummary,
} from "../generation/index.js";
import { GenerationRepository, setGenerationStopReason } from "../store/index.js";
import { generationBudgetOf, pipelineModelList } from "./generation-budget.js";
import { attachGenerationProgress } from "./generation-progress.js";
import { listenForInterrupt } from "./interrupt.js";
import { formatCost } from "./money.js";
import { openStores, type Stores, storePath } from "./open-store.js";
import type { Output } from "./output.js";

/** Flags every generation command shares. */
export interface GenerationFlags {
  config: string;
  store?: string;
  concurrency?: number;
  maxAttempts: number;
  progress: boolean;
  /** `--max-cost <usd>`: the job's budget (overrides the config's `maxCost`). */
  maxCost?: number;
  /** `--estimate` (actions/estimate-generation.ts): the roles answer as planning models into an in-memory store. */
  estimatePlan?: GenerationEstimatePlan;
}

/** How `--estimate` replaces a generation command's models (library `GenerationPlanner`); its store is in memory. */
export interface GenerationEstimatePlan {
  pipeline(models: BoundPipelineModels, config: LoadedConfig["config"]): BoundPipelineModels;
  discovery(models: ReturnType<typeof bindDiscoveryModels>, threshold: number): ReturnType<typeof bindDiscoveryModels>;
}

/** What a generation command's body gets: the bound roles, a job, its events, the store and the run id. */
export interface GenerationSession {
  readonly runId: string;
  readonly loaded: LoadedConfig;
  readonly models: BoundPipelineModels;
  readonly job: GenerationJob;
  readonly events: GenerationEvents;
  readonly generations: GenerationRepository;
  readonly stores: Stores;
  readonly concurrency: number;
}

/**
 * Runs one generation command: loads the config, binds the roles it needs, records a generation run, renders
 * progress on stderr, turns Ctrl-C into a stop (calls in flight settle and are stored; a second Ctrl-C aborts them),
 * and records the run's end with the command's summary and token usage. Returns the body's result.
 */
export async function withGenerationSession<T extends object>(
  command: string,
  flags: GenerationFlags,
  roles: PipelineRoleRequest,
  params: unknown,
  output: Output,
  body: (session: GenerationSession) => Promise<T>,
  /** Continue this stored generation run (same id, status back to started) instead of creating a new one. */
  resumeRunId?: string,
): Promise<{ result: T; runId: string; usage: JobUsage; jobSummary: GenerationJobSummary; cancelled: boolean }> {
  const loaded = loadConfig(flags.config);
  const bound = bindPipelineModels(loaded.config, roles, {
    env: process.env,
    configPath: loaded.path,
    lineOf: loaded.lineOf,
  });
  const models = flags.estimatePlan?.pipeline(bound, loaded.config) ?? bound;
  // `--max-cost` / maxCost (decision 0021); an estimate calls no model and keeps none.
  const maxCostUsd = flags.estimatePlan === undefined ? (flags.maxCost ?? loaded.config.maxCost) : undefined;
  let budget: GenerationBudget | undefined;
  try {
    budget =
      maxCostUsd === undefined
        ? undefined
        : generationBudgetOf(
            loaded.config,
            { file: loaded.path, lineOf: loaded.lineOf },
            maxCostUsd,
            pipelineModelList(models),
          );
  } catch (error) {
    await models.close();
    throw error;
  }
  const stores = openStores(
    flags.estimatePlan === undefined ? storePath(flags.store, loaded.config.store) : ":memory:",
  );
  const generations = new GenerationRepository(stores.db);
  const interrupt = listenForInterrupt(output, "stored");
  const runId = resumeRunId ?? newRunId();
  const concurrency = flags.concurrency ?? loaded.config.concurrency;
  const events = new GenerationEvents();
  const job = new GenerationJob({
    runId,
    store: generations,
    events,
    concurrency,
    maxAttempts: flags.maxAttempts,
    stopSignal: interrupt.stop,
    abortSignal: interrupt.abort,
    ...(budget === undefined ? {} : { budget }),
  });
  const stopProgress = flags.progress && output.isTTY ? attachGenerationProgress(events) : () => undefined;
  try {
    if (resumeRunId === undefined || flags.estimatePlan !== undefined)
      generations.createRun({ id: runId, command, params, packageVersion: packageVersion() });
    else generations.reopenRun(runId);
    output.err(`generation run ${runId} (store ${stores.path})`);
    let result: T;
    try {
      result = await body({ runId, loaded, models, job, events, generations, stores, concurrency });
    } catch (error) {
      stopProgress();
      const cancelled = interrupt.stop.aborted || job.stopReason !== undefined;
      try {
        generations.finishRun(runId, cancelled ? "cancelled" : "error", job.summary(), errorMessage(error));
        setGenerationStopReason(stores.db, runId, stopReasonOf(job, cancelled));
      } catch (finishFailure) {
        throw withSecondError(error, finishFailure, "recording the generation run's end");
      }
      throw error;
    }
    stopProgress();
    const cancelled = interrupt.stop.aborted || job.stopReason !== undefined;
    const jobSummary = job.summary();
    generations.finishRun(runId, cancelled ? "cancelled" : "success", { ...result, tasks: jobSummary });
    setGenerationStopReason(stores.db, runId, stopReasonOf(job, cancelled));
    return { result, runId, usage: jobUsage(jobSummary), jobSummary, cancelled };
  } finally {
    interrupt.dispose();
    await models.close();
    stores.close();
  }
}

/** Why a cancelled generation run stopped: its budget, else the stop signal; none when it ran to its end. */
function stopReasonOf(job: GenerationJob, cancelled: boolean): string | null {
  return cancelled ? (job.stopReason ?? "signal") : null;
}

/** A generation job's tokens with what they cost (this execution's calls; reused tasks cost nothing). */
export interface JobUsage extends Usage {
  readonly costUsd: number;
  readonly pricedTasks: number;
  readonly unpricedTasks: number;
}

/** The usage and cost of a job's summary, for `formatUsage`. */
export function jobUsage(summary: GenerationJobSummary): JobUsage {
  const { costUsd, pricedTasks, unpricedTasks } = summary;
  return { ...summary.usage, costUsd, pricedTasks, unpricedTasks };
}

/**
 * "tokens in 1,234 / out 567", with the prompt-cache reads when there were any ("tokens in 1,234 (cached 1,024) / out
 * 567") and, for a job, its cost ("; cost $0.0123", "; cost unpriced (3 calls)": never $0 for what has no price).
 */
export function formatUsage(usage: Usage | JobUsage): string {
  const count = (value: number): string => value.toLocaleString("en-US");
  const cached = (usage.cachedInputTokens ?? 0) > 0 ? ` (cached ${count(usage.cachedInputTokens ?? 0)})` : "";
  const tokens = `tokens in ${count(usage.inputTokens)}${cached} / out ${count(usage.outputTokens)}`;
  if (!("costUsd" in usage)) return tokens;
  return `${tokens}; cost ${formatCost(usage.costUsd, usage.pricedTasks, usage.unpricedTasks)}`;
}

/** Splits a comma list flag ("a,b, c") into ids; "all" stays "all". */
export function idList(value: string): string[] | "all" {
  const trimmed = value.trim();
  if (trimmed === "all") return "all";
  return trimmed
    .split(",")
    .map((id) => id.trim())
    .filter((id) => id !== "");
}
