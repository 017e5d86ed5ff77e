import {
  type BoundPipelineModels,
  bindPipelineModels,
  type LoadedConfig,
  loadConfig,
  type PipelineRoleRequest,
} from "../config/index.js";
import { errorMessage, newRunId, packageVersion, type Usage, withSecondError } from "../core/index.js";
import { GenerationEvents, GenerationJob, type GenerationJobSummary } from "../generation/index.js";
import { GenerationRepository } from "../store/index.js";
import { attachGenerationProgress } from "./generation-progress.js";
import { listenForInterrupt } from "./interrupt.js";
import { openStores, type Stores, storePath } from "./open-store.js";
import type { Output } from "./output.js";

/** Flags every generation command shares. */
export interface GenerationFlags {
  config: string;
  store?: string;
  concurrency?: number;
  maxAttempts: number;
  progress: boolean;
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
): Promise<{ result: T; runId: string; usage: Usage; jobSummary: GenerationJobSummary; cancelled: boolean }> {
  const loaded = loadConfig(flags.config);
  const models = bindPipelineModels(loaded.config, roles, {
    env: process.env,
    configPath: loaded.path,
    lineOf: loaded.lineOf,
  });
  const stores = openStores(storePath(flags.store, loaded.config.store));
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
  });
  const stopProgress = flags.progress && output.isTTY ? attachGenerationProgress(events) : () => undefined;
  try {
    if (resumeRunId === undefined)
      generations.createRun({ id: runId, command, params, packageVersion: packageVersion() });
    else generations.reopenRun(runId);
    output.err(`generation run ${runId} (store ${stores.path})`);
    let result: T;
    try {
      result = await body({ runId, loaded, models, job, events, generations, stores, concurrency });
    } catch (error) {
      stopProgress();
      const cancelled = interrupt.stop.aborted;
      try {
        generations.finishRun(runId, cancelled ? "cancelled" : "error", job.summary(), errorMessage(error));
      } catch (finishFailure) {
        throw withSecondError(error, finishFailure, "recording the generation run's end");
      }
      throw error;
    }
    stopProgress();
    const cancelled = interrupt.stop.aborted;
    const jobSummary = job.summary();
    generations.finishRun(runId, cancelled ? "cancelled" : "success", { ...result, tasks: jobSummary });
    return { result, runId, usage: jobSummary.usage, jobSummary, cancelled };
  } finally {
    interrupt.dispose();
    await models.close();
    stores.close();
  }
}

/** "tokens in 1,234 / out 567" */
export function formatUsage(usage: Usage): string {
  return `tokens in ${usage.inputTokens.toLocaleString("en-US")} / out ${usage.outputTokens.toLocaleString("en-US")}`;
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
