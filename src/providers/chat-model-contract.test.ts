/**
 * The ChatModel contract against the implementations other than the bare AI SDK adapters (ai-sdk-model.test.ts)
 * and the local GGUF pool (local-model-contract.test.ts): the worker-thread model, the composed model of a binding
 * (request defaults, cache, retry, limits) and MockChatModel, which the unit tests use in place of real models.
 */
import { afterAll } from "vitest";
import { typescriptWorkerUrl } from "../testing/index.js";
import { MemoryResponseCache } from "./cache.js";
import { chatModelContract } from "./chat-model.contract.js";
import { CONTRACT_ENV, fixtureTarget, mockTarget } from "./chat-model-targets.contract.js";
import { createChatModel, type LocalModelFactory } from "./create-model.js";
import type { ModelSettings } from "./model-settings.js";
import { ProviderWorkerPool } from "./worker-pool.js";

globalThis.AI_SDK_LOG_WARNINGS = false;

const noLocal: LocalModelFactory = {
  chatModel: () => {
    throw new Error("no local models in this test");
  },
};

/** What `config/bind-models.ts` builds for a binding: defaults → cache → retry → limits → adapter. */
function composed(settings: ModelSettings): ReturnType<typeof createChatModel> {
  return createChatModel(
    { ...settings, concurrency: 2, requestsPerMinute: 60_000 },
    { env: CONTRACT_ENV, cache: new MemoryResponseCache(), local: noLocal },
  );
}

chatModelContract("MockChatModel", mockTarget());

chatModelContract(
  "composed binding: cache + retry + limits (openai-compatible)",
  fixtureTarget({
    provider: "openai",
    model: "openai-compatible:llama3",
    // One retry by default, so every clause also runs through the retry layer; the retry clauses set their own.
    bind: (settings) => composed({ ...settings, retries: 1 }),
    bindRetrying: (settings, policy) => composed({ ...settings, retries: policy.retries }),
  }),
);

// One pool for the file: starting a worker that loads the TypeScript sources takes seconds.
const pool = new ProviderWorkerPool(
  1,
  CONTRACT_ENV,
  typescriptWorkerUrl(new URL("./provider-worker.ts", import.meta.url)),
);
afterAll(() => pool.close());

chatModelContract(
  "worker thread (openai)",
  fixtureTarget({ provider: "openai", model: "openai:gpt-4o-mini", bind: (settings) => pool.chatModel(settings) }),
);
chatModelContract(
  "worker thread (anthropic)",
  fixtureTarget({
    provider: "anthropic",
    model: "anthropic:claude-sonnet-4-5",
    supportsSeed: false,
    bind: (settings) => pool.chatModel(settings),
  }),
);
