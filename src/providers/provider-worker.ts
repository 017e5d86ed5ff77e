/**
 * A worker thread that makes AI SDK calls for the main thread (see worker-pool.ts), served by the core worker-jobs
 * harness: HTTP, JSON and the provider's response handling run here, so one run can use more than one core. Models
 * are created once per binding; API keys come from this thread's copy of the environment, never through messages.
 */
import { hashValue, serveWorkerJobs } from "../core/index.js";
import { createAiSdkModel } from "./ai-sdk-model.js";
import type { ChatModel, ChatResponse } from "./chat-model.js";
import type { ModelSettings } from "./model-settings.js";
import type { ProviderCall } from "./worker-pool.js";

const models = new Map<string, ChatModel>();

function modelFor(settings: ModelSettings): ChatModel {
  const key = hashValue(settings);
  let model = models.get(key);
  if (model === undefined) {
    // biome-ignore lint/style/noRestrictedGlobals: a worker thread's entry point: its environment is the copy WorkerPool passed (the caller's `env`), read here for API keys only.
    model = createAiSdkModel(settings, process.env);
    models.set(key, model);
  }
  return model;
}

serveWorkerJobs<ProviderCall, ChatResponse>((call, signal) =>
  modelFor(call.settings).generate(call.request, { signal }),
);
