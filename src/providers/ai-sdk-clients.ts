import { createAnthropic } from "@ai-sdk/anthropic";
import { createGoogleGenerativeAI } from "@ai-sdk/google";
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { EmbeddingModelV3, LanguageModelV3 } from "@ai-sdk/provider";
import { httpFetch } from "./http-fetch.js";
import type { RemoteProvider } from "./model-spec.js";

/**
 * The AI SDK provider packages (and undici, under `httpFetch`), imported only by `import("./ai-sdk-clients.js")` on
 * an adapter's first call: they cost about a second of start-up, which commands that call no model
 * (`--help`, `report`, `runs`) must not pay. Keys and base URLs are checked before, when the adapter is created.
 */

/** The provider's language model for one binding (chat completions for `openai`). */
export function createLanguageModel(
  provider: RemoteProvider,
  model: string,
  baseURL: string,
  apiKey: string | undefined,
): LanguageModelV3 {
  const key = { fetch: httpFetch, ...(apiKey === undefined ? {} : { apiKey }) };
  switch (provider) {
    case "openai":
      // Chat completions, not the Responses API that `openai(model)` uses: the same wire format as
      // OpenAI-compatible servers, and the one proxies and gateways support.
      return createOpenAI({ baseURL, ...key }).chat(model);
    case "anthropic":
      return createAnthropic({ baseURL, ...key })(model);
    case "google":
      return createGoogleGenerativeAI({ baseURL, ...key })(model);
    case "openai-compatible":
      return createOpenAICompatible({
        name: "openai-compatible",
        baseURL,
        includeUsage: true,
        supportsStructuredOutputs: true,
        ...key,
      }).chatModel(model);
  }
}

/** The provider's `/v1/embeddings` model for one embedder binding. */
export function createEmbedder(
  provider: "openai" | "openai-compatible",
  model: string,
  baseURL: string,
  apiKey: string | undefined,
): EmbeddingModelV3 {
  const key = { fetch: httpFetch, ...(apiKey === undefined ? {} : { apiKey }) };
  return provider === "openai"
    ? createOpenAI({ baseURL, ...key }).embeddingModel(model)
    : createOpenAICompatible({ name: "openai-compatible", baseURL, ...key }).embeddingModel(model);
}
