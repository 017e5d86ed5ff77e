/**
 * @module providers/batch
 * Batch mode (`batch: true` on a binding, decision 0019): a `ChatModel` that gathers requests and sends them through
 * the provider's batch API (OpenAI `/v1/files` + `/v1/batches`, Anthropic `/v1/messages/batches`), half price and
 * without the per-minute limits, stored (`BatchStore`) so that a killed run resumes by polling, never by sending
 * again. The AI SDK has no batch API: the clients are written against the providers' documented formats, with the
 * request bodies the SDK would send.
 *
 * Start with batching-model.ts (gathering, submitting, polling), then openai-batch.ts and anthropic-batch.ts.
 */
import { MedsafetyError } from "../../core/index.js";
import { DEFAULT_BASE_URLS, STANDARD_KEY_VARIABLES } from "../ai-sdk-model.js";
import type { ChatModel } from "../chat-model.js";
import type { ModelSettings } from "../model-settings.js";
import { parseModelSpec } from "../model-spec.js";
import { anthropicBatchClient } from "./anthropic-batch.js";
import type { BatchClient, BatchEndpoint } from "./batch-client.js";
import type { BatchStore } from "./batch-store.js";
import { createBatchingModel } from "./batching-model.js";
import { openaiBatchClient } from "./openai-batch.js";

export type { BatchEnd, BatchStore, NewBatch, StoredBatchRequest } from "./batch-store.js";

/** Seconds between two polls of a pending batch when the binding sets no `batchPollSeconds`. */
const DEFAULT_POLL_SECONDS = 30;
/** The `anthropic-version` header of the Message Batches API. */
const ANTHROPIC_VERSION = "2023-06-01";
/** Control calls (upload, create, poll, download) wait at least this long: an upload of 200 MB takes a while. */
const MIN_CONTROL_TIMEOUT_MS = 300_000;

/**
 * The batching model of a `batch: true` binding. Only `openai` and `anthropic` have batch APIs here; the key's
 * variable must be set (checked by the caller's `createAiSdkModel` before).
 *
 * @throws MedsafetyError `config_invalid` for another provider, or when no batch store is given.
 */
export function createBatchModel(
  settings: ModelSettings,
  env: Readonly<Record<string, string | undefined>>,
  store: BatchStore | undefined,
): ChatModel {
  const { provider, model } = parseModelSpec(settings.model);
  const label = `Model "${settings.id}" (${settings.model})`;
  if (provider !== "openai" && provider !== "anthropic") {
    throw new MedsafetyError(
      "config_invalid",
      `${label} has batch: true, but only openai: and anthropic: models have a batch API here. Remove batch for this binding.`,
    );
  }
  if (store === undefined) {
    throw new MedsafetyError(
      "config_invalid",
      `${label} has batch: true, which needs a run's store to keep its batches (medsafety run); remove batch for this command.`,
    );
  }
  const keyVariable = settings.apiKeyEnv ?? STANDARD_KEY_VARIABLES[provider];
  const apiKey = env[keyVariable]?.trim() ?? "";
  const endpoint: BatchEndpoint = {
    label,
    baseURL: (settings.baseURL ?? DEFAULT_BASE_URLS[provider]).replace(/\/+$/, ""),
    headers:
      provider === "openai"
        ? { authorization: `Bearer ${apiKey}` }
        : { "x-api-key": apiKey, "anthropic-version": ANTHROPIC_VERSION },
    secrets: apiKey === "" ? [] : [apiKey],
    timeoutMs: Math.max(settings.timeoutMs, MIN_CONTROL_TIMEOUT_MS),
    retries: settings.retries,
  };
  const client: BatchClient =
    provider === "openai" ? openaiBatchClient(model, endpoint) : anthropicBatchClient(model, endpoint);
  return createBatchingModel({
    modelId: settings.id,
    spec: settings.model,
    label,
    client,
    store,
    pollMs: (settings.batchPollSeconds ?? DEFAULT_POLL_SECONDS) * 1000,
  });
}
