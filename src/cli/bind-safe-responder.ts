import { bindModels, configSchema, type Config } from "../config/index.js";
import { InputError } from "../core/index.js";
import { loadSafeResponderPrompt } from "../generation/index.js";
import { createChatModel, LocalModelPool, type ChatModel } from "../providers/index.js";
import type { SafeResponder, SafeResponderThresholds } from "../report/index.js";
import type { RunRecord } from "../store/index.js";
import type { Stores } from "./open-store.js";

/** A bound safe responder and how to free its models. */
export interface BoundSafeResponder {
  readonly responder: SafeResponder;
  close(): Promise<void>;
}

/**
 * Binds the project config's `safeResponder` model and the run's own judges (from the run's frozen config), with
 * the store's response cache when both configs allow it. Throws `config_invalid` (exit 2) naming the key when
 * the config has no `safeResponder`.
 */
export function bindSafeResponder(
  config: Config, configPath: string, lineOf: (path: readonly (string | number)[]) => number | undefined,
  run: RunRecord, stores: Stores, thresholds: SafeResponderThresholds,
): BoundSafeResponder {
  const settings = config.safeResponder;
  if (settings === undefined) {
    throw new InputError("config_invalid", { file: configPath, field: "safeResponder" }, "--safe-responder needs a `safeResponder` model in the config",
      'Add a top-level key like `safeResponder: { id: safe-writer, model: "openai:gpt-4o" }` (same fields as a target)');
  }
  const prompt = loadSafeResponderPrompt();
  const runConfig = configSchema.parse(run.config);
  const local = new LocalModelPool();
  let model: ChatModel;
  try {
    model = createChatModel(settings, { env: process.env, local, ...(config.cache ? { cache: stores.cache } : {}) });
  } catch (error) {
    void local.close();
    const line = lineOf(["safeResponder"]);
    throw new InputError("config_invalid", { file: configPath, ...(line === undefined ? {} : { line }), field: "safeResponder" },
      error instanceof Error ? error.message.replace(/\.$/, "") : String(error), "Fix this binding in the config");
  }
  // Only the run's judges are bound (no targets): they check every written reply exactly as they judged the run.
  const bound = bindModels({ ...runConfig, targets: [] }, { env: process.env, ...(runConfig.cache && config.cache ? { cache: stores.cache } : {}) });
  return {
    responder: { model, modelId: settings.model, prompt, judges: bound.judges, ...thresholds },
    close: async () => {
      await Promise.allSettled([model.close(), bound.close()]);
      await local.close();
    },
  };
}
