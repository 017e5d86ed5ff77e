/**
 * @module providers
 * One `ChatModel` interface and its adapters: the Vercel AI SDK for hosted APIs and OpenAI-compatible servers,
 * node-llama-cpp for local GGUF files; middleware for retry (honouring retry-after), rate limits and the
 * response cache; the quickstart model download; the `EmbeddingModel` interface (AI SDK `/v1/embeddings`, node-llama-cpp
 * embedding contexts for local GGUF).
 */

export * from "./ai-sdk-model.js";
export * from "./cache.js";
export * from "./chat-model.js";
export * from "./create-model.js";
export * from "./embedding-model.js";
export * from "./local-embedding-model.js";
export * from "./local-model.js";
export * from "./model-download.js";
export * from "./model-settings.js";
export * from "./model-spec.js";
export * from "./preflight.js";
export * from "./rate-limit.js";
export * from "./retry.js";
export * from "./worker-pool.js";
