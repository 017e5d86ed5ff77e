import { stat } from "node:fs/promises";
import path from "node:path";
import type {
  ChatHistoryItem,
  GbnfJsonSchema,
  Llama,
  LlamaContext,
  LlamaContextSequence,
  LlamaGrammar,
  LlamaModel,
} from "node-llama-cpp";
import { errorMessage, MedsafetyError, ProviderError } from "../core/index.js";
import type { CallOptions, ChatModel, ChatRequest, ChatResponse, JsonSchema } from "./chat-model.js";
import { toGbnfJsonSchema } from "./json-schema-grammar.js";
import type { ModelSettings } from "./model-settings.js";
import { parseModelSpec } from "./model-spec.js";
import { nodeLlamaCpp } from "./node-llama-cpp.js";

/** Options of a {@link LocalModelPool}. */
export interface LocalModelPoolOptions {
  /** Creates the one `Llama` instance of the pool (tests may inject one). Default: prebuilt CPU binary, never built. */
  readonly loadLlama?: () => Promise<Llama>;
}

const DEFAULT_MAX_TOKENS = 512;
const DEFAULT_CONTEXT_SIZE = 4096;
/** Integer ranges up to this many values become an enum, since the grammar has no minimum/maximum. */

/** Hands out a context's sequences one caller at a time and queues callers when all are busy. */
class SequenceQueue {
  readonly #idle: LlamaContextSequence[] = [];
  readonly #waiting: ((sequence: LlamaContextSequence) => void)[] = [];
  constructor(readonly context: LlamaContext) {}

  acquire(signal: AbortSignal | undefined): Promise<LlamaContextSequence> {
    const idle = this.#idle.pop();
    if (idle !== undefined) return Promise.resolve(idle);
    if (this.context.sequencesLeft > 0) return Promise.resolve(this.context.getSequence());
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
        reject(cancelledError());
      };
      const waiter = (sequence: LlamaContextSequence): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve(sequence);
      };
      this.#waiting.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Erases the sequence's state (the next caller must not see this conversation), then hands it on. */
  async release(sequence: LlamaContextSequence): Promise<void> {
    if (sequence.disposed) return;
    await sequence.clearHistory();
    const next = this.#waiting.shift();
    if (next === undefined) this.#idle.push(sequence);
    else next(sequence);
  }
}

interface ModelEntry {
  model: Promise<LlamaModel> | undefined;
  bindings: number;
  /** Key `threads:contextSize` → its context; `concurrency` holds the most sequences asked for under that key. */
  readonly contexts: Map<string, Promise<SequenceQueue>>;
  readonly concurrency: Map<string, number>;
}

/**
 * Serves `local:<path>` GGUF models through node-llama-cpp on the CPU. One `Llama` per pool, one loaded model per
 * file (bindings on the same file share the weights), one context per (file, threads, contextSize) whose number of
 * sequences is the largest `concurrency` of the bindings using it (default 1). Never logs prompts or outputs.
 */
export class LocalModelPool {
  readonly #loadLlama: () => Promise<Llama>;
  readonly #models = new Map<string, ModelEntry>();
  readonly #grammars = new Map<string, Promise<LlamaGrammar>>();
  readonly #recentLlamaErrors: string[] = [];
  #llama: Promise<Llama> | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: LocalModelPoolOptions = {}) {
    this.#loadLlama =
      options.loadLlama ??
      (async () => {
        const { getLlama, LlamaLogLevel } = await nodeLlamaCpp();
        return getLlama({
          gpu: false,
          build: "never",
          logLevel: LlamaLogLevel.error,
          logger: (_level, message) => this.#rememberError(message),
        });
      });
  }

  /** How many model files are loaded or loading right now (bindings on one file count once). */
  get loadedModelCount(): number {
    return [...this.#models.values()].filter((entry) => entry.model !== undefined).length;
  }

  /** A `ChatModel` for one binding whose `model` is `local:<path>` (resolved against the working directory). */
  chatModel(settings: ModelSettings): ChatModel {
    if (this.#closing !== undefined)
      throw new MedsafetyError("model_unavailable", "The local model pool is closed; create a new LocalModelPool.");
    const modelPath = path.resolve(parseModelSpec(settings.model).model);
    const contextKey = `${settings.threads ?? 1}:${settings.contextSize ?? "default"}`;
    const entry = this.#entry(modelPath);
    entry.bindings += 1;
    entry.concurrency.set(contextKey, Math.max(entry.concurrency.get(contextKey) ?? 1, settings.concurrency ?? 1));
    let closed = false;
    return {
      spec: settings.model,
      generate: (request, options = {}) => {
        if (closed || this.#closing !== undefined) {
          return Promise.reject(
            new MedsafetyError("model_unavailable", `Local model "${settings.id}" was closed; create a new binding.`),
          );
        }
        return this.#generate(modelPath, contextKey, settings, request, options);
      },
      close: async () => {
        if (closed) return;
        closed = true;
        entry.bindings -= 1;
        if (entry.bindings === 0 && this.#models.get(modelPath) === entry) {
          this.#models.delete(modelPath);
          await disposeEntry(entry);
        }
      },
    };
  }

  /** Disposes every context, model and the `Llama` instance. Safe to call twice. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const entries = [...this.#models.values()];
      this.#models.clear();
      await Promise.allSettled(entries.map(disposeEntry));
      const llama = await this.#llama?.catch(() => undefined);
      await llama?.dispose();
    })();
    return this.#closing;
  }

  #entry(modelPath: string): ModelEntry {
    let entry = this.#models.get(modelPath);
    if (entry === undefined) {
      entry = { model: undefined, bindings: 0, contexts: new Map(), concurrency: new Map() };
      this.#models.set(modelPath, entry);
    }
    return entry;
  }

  #rememberError(message: string): void {
    this.#recentLlamaErrors.push(message.trim());
    if (this.#recentLlamaErrors.length > 5) this.#recentLlamaErrors.shift();
  }

  async #generate(
    modelPath: string,
    contextKey: string,
    settings: ModelSettings,
    request: ChatRequest,
    options: CallOptions,
  ): Promise<ChatResponse> {
    throwIfCancelled(options.signal);
    const queue = await this.#context(modelPath, contextKey, settings);
    const grammar =
      request.responseSchema === undefined ? undefined : await this.#grammar(request.responseSchema.schema);
    throwIfCancelled(options.signal);
    const sequence = await queue.acquire(options.signal);
    try {
      return await promptOnce(sequence, settings, request, grammar, options.signal);
    } finally {
      await queue.release(sequence);
    }
  }

  #context(modelPath: string, contextKey: string, settings: ModelSettings): Promise<SequenceQueue> {
    const entry = this.#entry(modelPath);
    let context = entry.contexts.get(contextKey);
    if (context === undefined) {
      context = this.#createContext(entry, modelPath, contextKey, settings);
      entry.contexts.set(contextKey, context);
      context.catch(() => entry.contexts.delete(contextKey));
    }
    return context;
  }

  async #createContext(
    entry: ModelEntry,
    modelPath: string,
    contextKey: string,
    settings: ModelSettings,
  ): Promise<SequenceQueue> {
    if (entry.model === undefined) {
      const loading = this.#loadModel(modelPath, settings);
      entry.model = loading;
      loading.catch(() => (entry.model = undefined));
    }
    const model = await entry.model;
    const context = await model.createContext({
      contextSize: settings.contextSize ?? Math.min(DEFAULT_CONTEXT_SIZE, model.trainContextSize),
      threads: settings.threads ?? 1, // more threads are 15-35x slower on small CPU VMs (thread synchronisation)
      sequences: entry.concurrency.get(contextKey) ?? 1,
    });
    return new SequenceQueue(context);
  }

  async #loadModel(modelPath: string, settings: ModelSettings): Promise<LlamaModel> {
    const isFile = await stat(modelPath).then(
      (stats) => stats.isFile(),
      () => false,
    );
    if (!isFile) {
      throw new MedsafetyError(
        "model_unavailable",
        `Local model file not found: ${modelPath} (model "${settings.id}", spec "${settings.model}"). ` +
          `Check the "model: local:<path>" entry of this model in your config (relative paths start at ${path.resolve(".")}) or pass --model /path/to/model.gguf.`,
      );
    }
    this.#llama ??= this.#loadLlama();
    const llama = await this.#llama;
    try {
      return await llama.loadModel({ modelPath });
    } catch (error) {
      const details = this.#recentLlamaErrors.splice(0).join(" ");
      throw new MedsafetyError(
        "model_unavailable",
        `Could not load ${modelPath} as a GGUF model: ${errorMessage(error)}${details === "" ? "" : ` (llama.cpp: ${details})`}. ` +
          "Check that the file is a complete GGUF download (compare its sha256) of an architecture llama.cpp supports.",
        { cause: error },
      );
    }
  }

  #grammar(schema: JsonSchema): Promise<LlamaGrammar> {
    const converted = toGbnfJsonSchema(schema);
    const key = JSON.stringify(converted);
    let grammar = this.#grammars.get(key);
    if (grammar === undefined) {
      this.#llama ??= this.#loadLlama();
      const llama = this.#llama;
      grammar = llama.then((instance) => instance.createGrammarForJsonSchema<GbnfJsonSchema>(converted));
      this.#grammars.set(key, grammar);
      grammar.catch(() => this.#grammars.delete(key));
    }
    return grammar;
  }
}

async function disposeEntry(entry: ModelEntry): Promise<void> {
  const contexts = await Promise.allSettled(entry.contexts.values());
  await Promise.allSettled(
    contexts.map((result) => (result.status === "fulfilled" ? result.value.context.dispose() : undefined)),
  );
  const model = await entry.model?.catch(() => undefined);
  await model?.dispose();
}

/** One prompt on a free sequence: history in, raw text out. The session is disposed; the caller clears the sequence. */
async function promptOnce(
  sequence: LlamaContextSequence,
  settings: ModelSettings,
  request: ChatRequest,
  grammar: LlamaGrammar | undefined,
  signal: AbortSignal | undefined,
): Promise<ChatResponse> {
  const { history, prompt } = toChatHistory(request.system ?? settings.systemPrompt, request.messages, settings.id);
  const { LlamaChatSession } = await nodeLlamaCpp();
  const session = new LlamaChatSession({ contextSequence: sequence, autoDisposeSequence: false });
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal?.reason);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, settings.timeoutMs);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    session.setChatHistory(history);
    const maxTokens = request.maxTokens ?? settings.maxTokens ?? DEFAULT_MAX_TOKENS;
    const inputState = session.chatWrapper.generateContextState({
      chatHistory: [...history, { type: "user", text: prompt }, { type: "model", response: [] }],
    });
    const inputTokens = inputState.contextText.tokenize(sequence.model.tokenizer).length;
    if (inputTokens + maxTokens > sequence.contextSize)
      throw overflowError(
        settings,
        `${inputTokens} input tokens + maxTokens ${maxTokens} exceed`,
        sequence.contextSize,
      );
    const temperature = request.temperature ?? settings.temperature;
    const seed = request.seed ?? settings.seed;
    let outputTokens = 0;
    const started = performance.now();
    const result = await session.promptWithMeta(prompt, {
      signal: controller.signal,
      stopOnAbortSignal: false,
      maxTokens,
      onToken: (tokens) => (outputTokens += tokens.length),
      ...(temperature === undefined ? {} : { temperature }),
      ...(seed === undefined ? {} : { seed }),
      ...(grammar === undefined ? {} : { grammar }),
    });
    const latencyMs = Math.round(performance.now() - started);
    return {
      text: result.responseText,
      usage: { inputTokens, outputTokens },
      finishReason: finishReason(result.stopReason),
      latencyMs,
      cached: false,
    };
  } catch (error) {
    if (timedOut) {
      throw new ProviderError(
        "provider_timeout",
        `Local model "${settings.id}" did not finish within ${settings.timeoutMs} ms. Raise timeoutMs or lower maxTokens for this model in your config.`,
        { cause: error, isRetryable: false },
      );
    }
    if (signal?.aborted === true) throw cancelledError(error);
    if (error instanceof MedsafetyError) throw error;
    if (/context size|context shift|compress chat history/i.test(errorMessage(error)))
      throw overflowError(settings, "the conversation does not fit", sequence.contextSize, error);
    throw new ProviderError(
      "provider_response_invalid",
      `Local model "${settings.id}" failed: ${errorMessage(error)}`,
      { cause: error, isRetryable: false },
    );
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    session.dispose({ disposeSequence: false });
  }
}

/** System prompt and all messages but the last become the session history; the last (user) message is the prompt. */
function toChatHistory(
  system: string | undefined,
  messages: ChatRequest["messages"],
  id: string,
): { history: ChatHistoryItem[]; prompt: string } {
  const last = messages.at(-1);
  if (last?.role !== "user") {
    throw new ProviderError(
      "provider_response_invalid",
      `Local model "${id}" needs a conversation that ends with a user message (got ${last === undefined ? "no messages" : "an assistant message last"}).`,
    );
  }
  const history: ChatHistoryItem[] = system === undefined || system === "" ? [] : [{ type: "system", text: system }];
  for (const message of messages.slice(0, -1)) {
    history.push(
      message.role === "user"
        ? { type: "user", text: message.content }
        : { type: "model", response: [message.content] },
    );
  }
  return { history, prompt: last.content };
}

function finishReason(stopReason: string): string {
  if (stopReason === "maxTokens") return "length";
  if (stopReason === "eogToken" || stopReason === "stopGenerationTrigger" || stopReason === "customStopTrigger")
    return "stop";
  return stopReason === "functionCalls" ? "tool-calls" : "other";
}

function overflowError(settings: ModelSettings, problem: string, contextSize: number, cause?: unknown): ProviderError {
  return new ProviderError(
    "provider_response_invalid",
    `Local model "${settings.id}": ${problem} the context of ${contextSize} tokens. Set a larger contextSize for this model (up to the model's training context), lower maxTokens, or use a shorter conversation.`,
    { cause, isRetryable: false },
  );
}

function cancelledError(cause?: unknown): MedsafetyError {
  return new MedsafetyError("cancelled", "The call to the local model was cancelled.", { cause });
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw cancelledError(signal.reason);
}
