import { errorMessage, MedsafetyError, WorkerJobs } from "../core/index.js";
import type { CallOptions, ChatModel, ChatRequest, ChatResponse } from "./chat-model.js";
import type { ModelSettings } from "./model-settings.js";

/** One call made in a provider worker thread (provider-worker.ts): a job of the core worker-jobs harness. */
export interface ProviderCall {
  readonly settings: ModelSettings;
  readonly request: ChatRequest;
}

/**
 * Worker threads that make AI SDK calls (HTTP + JSON + the provider's response handling), so a run is not
 * bound by one core at high concurrency (docs/decisions/0004-provider-worker-threads.md). The main thread keeps
 * the runner, the store, retries, limits and the cache; each call goes to the least-loaded worker
 * (`core/worker-jobs.ts`, which rebuilds errors with their class, code, status and retry-after).
 */
export class ProviderWorkerPool {
  private readonly jobs: WorkerJobs<ProviderCall, ChatResponse>;

  /** `env` is the environment the workers read API keys from (a copy; keys never travel in messages). */
  constructor(
    size: number,
    env: Readonly<Record<string, string | undefined>>,
    workerUrl: URL = new URL("./provider-worker.js", import.meta.url),
  ) {
    const workerEnv = Object.fromEntries(
      Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
    this.jobs = new WorkerJobs(workerUrl, { size, label: "a provider worker thread", env: workerEnv });
  }

  /** A ChatModel whose calls run in the pool (remote providers only; `settings` must be valid for the AI SDK). */
  chatModel(settings: ModelSettings): ChatModel {
    return {
      spec: settings.model,
      generate: (request, options) => this.call(settings, request, options ?? {}),
      close: async () => {},
    };
  }

  close(): Promise<void> {
    return this.jobs.close();
  }

  private async call(settings: ModelSettings, request: ChatRequest, options: CallOptions): Promise<ChatResponse> {
    if (options.signal?.aborted === true) throw new MedsafetyError("cancelled", "the run was aborted");
    try {
      return await this.jobs.run({ settings, request }, options.signal === undefined ? {} : { signal: options.signal });
    } catch (error) {
      throw asCallError(error);
    }
  }
}

/** A failure that is not the project's own (a crashed thread, a bug) is a non-retryable `provider_unknown`. */
export function asCallError(error: unknown): MedsafetyError {
  return error instanceof MedsafetyError
    ? error
    : new MedsafetyError("provider_unknown", errorMessage(error), { cause: error });
}
