import { stat } from "node:fs/promises";
import path from "node:path";
import type { Llama, LlamaEmbeddingContext, LlamaModel } from "node-llama-cpp";
import { errorMessage, MedsafetyError } from "../core/index.js";
import type { EmbeddingModel, LocalEmbeddingFactory } from "./embedding-model.js";
import type { ModelSettings } from "./model-settings.js";
import { parseModelSpec } from "./model-spec.js";
import { nodeLlamaCpp } from "./node-llama-cpp.js";

interface Loaded {
  readonly model: LlamaModel;
  readonly context: LlamaEmbeddingContext;
}

/**
 * Embeddings of `local:<path>` GGUF files through node-llama-cpp (`model.createEmbeddingContext()`), on the CPU,
 * one text at a time per binding (threads default 1). One `Llama` per pool; each binding loads its file lazily on
 * the first call. A file whose architecture cannot embed fails with `model_unavailable` naming the file.
 */
export class LocalEmbeddingPool implements LocalEmbeddingFactory {
  readonly #loadLlama: () => Promise<Llama>;
  readonly #bindings = new Set<Promise<Loaded>>();
  #llama: Promise<Llama> | undefined;

  constructor(options: { loadLlama?: () => Promise<Llama> } = {}) {
    this.#loadLlama =
      options.loadLlama ??
      (async () => {
        const { getLlama, LlamaLogLevel } = await nodeLlamaCpp();
        return getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
      });
  }

  embeddingModel(settings: ModelSettings): EmbeddingModel {
    const modelPath = path.resolve(parseModelSpec(settings.model).model);
    let loaded: Promise<Loaded> | undefined;
    let queue: Promise<unknown> = Promise.resolve();
    const load = (): Promise<Loaded> => {
      if (loaded === undefined) {
        loaded = this.#load(modelPath, settings);
        this.#bindings.add(loaded);
        loaded.catch(() => undefined);
      }
      return loaded;
    };
    return {
      spec: settings.model,
      embed: (texts, options = {}) => {
        const run = queue.then(async () => {
          const { context } = await load();
          const started = performance.now();
          const embeddings: Float32Array[] = [];
          let inputTokens = 0;
          for (const text of texts) {
            if (options.signal?.aborted === true)
              throw new MedsafetyError("cancelled", `Local embedder "${settings.id}": cancelled.`);
            const embedding = await context.getEmbeddingFor(text);
            embeddings.push(Float32Array.from(embedding.vector));
            inputTokens += context.model.tokenize(text).length;
          }
          return { embeddings, usage: { inputTokens }, latencyMs: Math.round(performance.now() - started) };
        });
        queue = run.catch(() => undefined);
        return run;
      },
      close: async () => {
        const current = loaded;
        loaded = undefined;
        if (current === undefined) return;
        this.#bindings.delete(current);
        await dispose(current);
      },
    };
  }

  /** Disposes every context, model and the `Llama` instance. Safe to call twice. */
  async close(): Promise<void> {
    const bindings = [...this.#bindings];
    this.#bindings.clear();
    await Promise.allSettled(bindings.map(dispose));
    const llama = await this.#llama?.catch(() => undefined);
    this.#llama = undefined;
    await llama?.dispose();
  }

  async #load(modelPath: string, settings: ModelSettings): Promise<Loaded> {
    const isFile = await stat(modelPath).then(
      (stats) => stats.isFile(),
      () => false,
    );
    if (!isFile) {
      throw new MedsafetyError(
        "model_unavailable",
        `Local embedding model file not found: ${modelPath} (model "${settings.id}"). Check its "model: local:<path>" entry in the config.`,
      );
    }
    this.#llama ??= this.#loadLlama();
    const llama = await this.#llama;
    let model: LlamaModel | undefined;
    try {
      model = await llama.loadModel({ modelPath });
      const context = await model.createEmbeddingContext({
        threads: settings.threads ?? 1,
        ...(settings.contextSize === undefined ? {} : { contextSize: settings.contextSize }),
      });
      return { model, context };
    } catch (error) {
      await model?.dispose();
      throw new MedsafetyError(
        "model_unavailable",
        `Could not create an embedding context for ${modelPath} (model "${settings.id}"): ${errorMessage(error)}. Use a GGUF embedding model llama.cpp supports, or an openai-compatible /v1/embeddings server.`,
        { cause: error },
      );
    }
  }
}

async function dispose(loaded: Promise<Loaded>): Promise<void> {
  const value = await loaded.catch(() => undefined);
  if (value === undefined) return;
  await value.context.dispose();
  await value.model.dispose();
}
