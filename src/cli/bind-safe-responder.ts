import { bindModels, type Config, configSchema } from "../config/index.js";
import { InputError } from "../core/index.js";
import { type GenerationModel, loadSafeResponderPrompt, type SafeResponderPrompt } from "../generation/index.js";
import { type ChatModel, createChatModel, LocalModelPool } from "../providers/index.js";
import type { RunJudge } from "../runner/index.js";
import type { RunRecord } from "../store/index.js";

/** The bound safe responder, the run's judges, the prompt, and how to free the models. */
export interface BoundSafeResponder {
  readonly writer: GenerationModel;
  readonly judges: readonly RunJudge[];
  readonly prompt: SafeResponderPrompt;
  close(): Promise<void>;
}

/**
 * Binds the project config's `safeResponder` model and the run's own judges (from the run's frozen config). No
 * response cache, as for the benchmark-building roles: the store keeps every answer by task key, and a call asked
 * again after an empty reply or an invalid verdict must reach the model. Throws `config_invalid` (exit 2) naming
 * the key when the config has no `safeResponder`.
 */
export function bindSafeResponder(
  config: Config,
  configPath: string,
  lineOf: (path: readonly (string | number)[]) => number | undefined,
  run: RunRecord,
): BoundSafeResponder {
  const settings = config.safeResponder;
  if (settings === undefined) {
    throw new InputError(
      "config_invalid",
      { file: configPath, field: "safeResponder" },
      "--safe-responder needs a `safeResponder` model in the config",
      'Add a top-level key like `safeResponder: { id: safe-writer, model: "openai:gpt-4o" }` (same fields as a target)',
    );
  }
  const prompt = loadSafeResponderPrompt();
  const runConfig = configSchema.parse(run.config);
  const local = new LocalModelPool();
  let model: ChatModel;
  try {
    model = createChatModel(settings, { env: process.env, local });
  } catch (error) {
    // Not `void`: a failing close would be an unhandled rejection that ends the process and hides this binding error.
    local.close().catch(() => undefined);
    const line = lineOf(["safeResponder"]);
    throw new InputError(
      "config_invalid",
      { file: configPath, ...(line === undefined ? {} : { line }), field: "safeResponder" },
      error instanceof Error ? error.message.replace(/\.$/, "") : String(error),
      "Fix this binding in the config",
    );
  }
  // Only the run's judges are bound (no targets): they check every written reply exactly as they judged the run.
  const bound = bindModels({ ...runConfig, targets: [] }, { env: process.env });
  const sampling = {
    ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
    ...(settings.maxTokens === undefined ? {} : { maxTokens: settings.maxTokens }),
    ...(settings.seed === undefined ? {} : { seed: settings.seed }),
  };
  return {
    writer: { id: settings.id, spec: settings.model, model, sampling },
    judges: bound.judges,
    prompt,
    close: async () => {
      await Promise.allSettled([model.close(), bound.close()]);
      await local.close();
    },
  };
}
