import type { EmbeddingModelV3 } from "@ai-sdk/provider";
import { MedsafetyError } from "../core/index.js";
import { type FailureContext, timeoutError, toProviderError } from "./ai-sdk-errors.js";
import { DEFAULT_BASE_URLS, STANDARD_KEY_VARIABLES } from "./ai-sdk-model.js";
import type { CallOptions } from "./chat-model.js";
import type { ModelSettings } from "./model-settings.js";
import { parseModelSpec } from "./model-spec.js";
import { abortableSleep, retryDelayMs } from "./retry.js";

/** What an embedding call returns: one vector per input text, in order, with the tokens it cost. */
export interface EmbeddingResult {
  readonly embeddings: Float32Array[];
  readonly usage: { readonly inputTokens: number };
  readonly latencyMs: number;
}

/**
 * The one interface every embedding adapter implements (the AI SDK for `openai:` / `openai-compatible:`
 * `/v1/embeddings`, node-llama-cpp for `local:` GGUF). Failures are `ProviderError`s with `isRetryable` set.
 */
export interface EmbeddingModel {
  /** The `provider:model` spec (never holding secrets). */
  readonly spec: string;
  embed(texts: readonly string[], options?: CallOptions): Promise<EmbeddingResult>;
  /** Frees sockets, model weights, contexts. Safe to call twice. */
  close(): Promise<void>;
}

/** Builds the `local:` embedding adapter (node-llama-cpp); injected so this module never loads it. */
export interface LocalEmbeddingFactory {
  embeddingModel(settings: ModelSettings): EmbeddingModel;
}

/**
 * The embedding model a binding describes: retries (`retries`, backoff honouring retry-after) around the adapter
 * chosen by the spec's prefix. Only `openai:`, `openai-compatible:` and `local:` serve embeddings.
 *
 * @throws MedsafetyError `config_invalid` for a provider without embeddings, `provider_auth` for a missing key.
 */
export function createEmbeddingModel(
  settings: ModelSettings,
  context: { env: Readonly<Record<string, string | undefined>>; local: LocalEmbeddingFactory },
): EmbeddingModel {
  const { provider } = parseModelSpec(settings.model);
  const adapter =
    provider === "local" ? context.local.embeddingModel(settings) : createAiSdkEmbeddingModel(settings, context.env);
  return withEmbeddingRetry(adapter, settings.retries);
}

/** An `EmbeddingModel` over the AI SDK's embedding models (`POST <baseURL>/embeddings`, OpenAI's wire format). */
export function createAiSdkEmbeddingModel(
  settings: ModelSettings,
  env: Readonly<Record<string, string | undefined>>,
): EmbeddingModel {
  const { provider, model } = parseModelSpec(settings.model);
  const label = `Embedding model "${settings.id}" (${settings.model})`;
  if (provider !== "openai" && provider !== "openai-compatible") {
    throw new MedsafetyError(
      "config_invalid",
      `${label}: embeddings are served for openai:, openai-compatible: and local: models only. Use one of those for the embedder.`,
    );
  }
  const keyVariable = settings.apiKeyEnv ?? (provider === "openai" ? STANDARD_KEY_VARIABLES.openai : undefined);
  const apiKey = keyVariable === undefined ? undefined : env[keyVariable]?.trim();
  if (keyVariable !== undefined && (apiKey === undefined || apiKey === "")) {
    throw new MedsafetyError(
      "provider_auth",
      `${label} needs an API key in the environment variable ${keyVariable}, which is unset or empty. Export it (export ${keyVariable}=...).`,
    );
  }
  const baseURL =
    settings.baseURL?.replace(/\/+$/, "") ?? (provider === "openai" ? DEFAULT_BASE_URLS.openai : undefined);
  if (baseURL === undefined) {
    throw new MedsafetyError(
      "config_invalid",
      `${label} has no baseURL. openai-compatible embedders need the server's URL, e.g. baseURL: http://localhost:11434/v1.`,
    );
  }
  // The provider package is loaded on the first call (ai-sdk-clients.ts), not when the embedder is bound.
  let embedder: Promise<EmbeddingModelV3> | undefined;
  const load = (): Promise<EmbeddingModelV3> => {
    embedder ??= import("./ai-sdk-clients.js").then((clients) =>
      clients.createEmbedder(provider, model, baseURL, apiKey),
    );
    return embedder;
  };
  const failure: FailureContext = {
    label,
    baseURL,
    timeoutMs: settings.timeoutMs,
    keyVariable,
    secrets: apiKey === undefined ? [] : [apiKey],
  };
  return {
    spec: settings.model,
    embed: async (texts, options = {}) => embedOnce(await load(), texts, options, failure),
    close: async () => {},
  };
}

async function embedOnce(
  embedder: EmbeddingModelV3,
  texts: readonly string[],
  options: CallOptions,
  failure: FailureContext,
): Promise<EmbeddingResult> {
  if (texts.length === 0) return { embeddings: [], usage: { inputTokens: 0 }, latencyMs: 0 };
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, failure.timeoutMs);
  const onAbort = (): void => controller.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const started = performance.now();
  try {
    const result = await embedder.doEmbed({ values: [...texts], abortSignal: controller.signal });
    if (result.embeddings.length !== texts.length) {
      throw new MedsafetyError(
        "provider_unknown",
        `${failure.label} returned ${result.embeddings.length} embeddings for ${texts.length} texts.`,
      );
    }
    return {
      embeddings: result.embeddings.map((vector) => Float32Array.from(vector)),
      usage: { inputTokens: result.usage?.tokens ?? 0 },
      latencyMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    if (error instanceof MedsafetyError) throw error;
    if (options.signal?.aborted === true)
      throw new MedsafetyError("cancelled", `${failure.label}: the call was cancelled.`, { cause: error });
    if (timedOut) throw timeoutError(failure, error);
    throw toProviderError(error, failure);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}

/** Retries retryable failures (`isRetryable`) with the chat models' backoff; other errors are rethrown. */
export function withEmbeddingRetry(model: EmbeddingModel, retries: number): EmbeddingModel {
  if (retries <= 0) return model;
  return {
    spec: model.spec,
    close: () => model.close(),
    async embed(texts, options = {}) {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await model.embed(texts, options.signal === undefined ? {} : { signal: options.signal });
        } catch (error) {
          const retryable = error instanceof Error && (error as Error & { isRetryable?: unknown }).isRetryable === true;
          if (attempt > retries || !retryable) throw error;
          const delayMs = retryDelayMs(attempt, error, { retries });
          options.onRetry?.({ attempt, delayMs, error });
          await abortableSleep(delayMs, options.signal);
        }
      }
    },
  };
}

/** Cosine similarity of two vectors of the same length (0 when either is all zeros). */
export function cosineSimilarity(left: Float32Array, right: Float32Array): number {
  let dot = 0;
  let leftNorm = 0;
  let rightNorm = 0;
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index += 1) {
    const a = left[index] ?? 0;
    const b = right[index] ?? 0;
    dot += a * b;
    leftNorm += a * a;
    rightNorm += b * b;
  }
  return leftNorm === 0 || rightNorm === 0 ? 0 : dot / Math.sqrt(leftNorm * rightNorm);
}

/** A vector as bytes (little-endian float32) for a SQLite BLOB, and back. */
export function vectorToBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

export function blobToVector(blob: Uint8Array): Float32Array {
  const copy = new Uint8Array(blob.byteLength);
  copy.set(blob);
  return new Float32Array(copy.buffer);
}
