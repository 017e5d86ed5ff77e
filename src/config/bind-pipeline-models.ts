import { InputError, MedsafetyError } from "../core/index.js";
import type { GenerationModel } from "../generation/index.js";
import { type LoadedRubric, loadRubric } from "../judges/index.js";
import {
  type ChatModel,
  createChatModel,
  LocalModelPool,
  type ModelSettings,
  ProviderWorkerPool,
} from "../providers/index.js";
import type { BindOptions } from "./bind-models.js";
import { DEFAULT_REFUSAL_RUBRIC } from "./pipeline-roles.js";
import type { Config } from "./schema.js";

/** The refusal judge: a bound model and the refusal rubric it applies. */
export interface BoundRefusalJudge extends GenerationModel {
  readonly rubric: LoadedRubric;
}

/** Which roles a command needs. Lists of ids select among the config's bindings (all when omitted). */
export interface PipelineRoleRequest {
  readonly generator?: boolean;
  readonly attackers?: readonly string[] | "all";
  readonly refusers?: readonly string[] | "all";
  readonly refusalJudge?: boolean;
  readonly translator?: boolean;
}

export interface BoundPipelineModels {
  readonly generator?: GenerationModel;
  readonly attackers: readonly GenerationModel[];
  readonly refusers: readonly GenerationModel[];
  readonly refusalJudge?: BoundRefusalJudge;
  readonly translator?: GenerationModel;
  /** Frees every model (sockets, local weights, worker threads). */
  close(): Promise<void>;
}

/**
 * Binds the benchmark-construction roles a command asks for (generator, attackers, refusers, refusalJudge,
 * translator) to concrete models. No response cache: the generation store already keeps every answer by key, and
 * a retry after an invalid answer must reach the model. Errors name the config file, line and key path: a missing
 * role, an unknown id in --attackers / --refusers, a binding the provider rejects.
 */
export function bindPipelineModels(
  config: Config,
  request: PipelineRoleRequest,
  options: BindOptions,
): BoundPipelineModels {
  const local = new LocalModelPool();
  const workers = config.workers > 0 ? new ProviderWorkerPool(config.workers, options.env) : undefined;
  const models: ChatModel[] = [];
  const close = async (): Promise<void> => {
    await Promise.allSettled(models.map((model) => model.close()));
    await local.close();
    await workers?.close();
  };
  const bind = (settings: ModelSettings, path: (string | number)[]): GenerationModel => {
    try {
      const model = createChatModel(settings, {
        env: options.env,
        local,
        ...(workers === undefined ? {} : { workers }),
      });
      models.push(model);
      return { id: settings.id, spec: settings.model, model, sampling: sampling(settings) };
    } catch (error) {
      throw locate(error, options, path);
    }
  };
  try {
    const generator =
      request.generator === true ? bind(required(config.generator, "generator", options), ["generator"]) : undefined;
    const translator =
      request.translator === true
        ? bind(required(config.translator, "translator", options), ["translator"])
        : undefined;
    const attackers =
      request.attackers === undefined
        ? []
        : selectList(config, "attackers", request.attackers, options).map(([settings, index]) =>
            bind(settings, ["attackers", index]),
          );
    const refusers =
      request.refusers === undefined
        ? []
        : selectList(config, "refusers", request.refusers, options).map(([settings, index]) =>
            bind(settings, ["refusers", index]),
          );
    let refusalJudge: BoundRefusalJudge | undefined;
    if (request.refusalJudge === true) {
      const settings = required(config.refusalJudge, "refusalJudge", options);
      const rubric = loadRubricAt(settings.rubric ?? DEFAULT_REFUSAL_RUBRIC, options);
      refusalJudge = { ...bind(settings, ["refusalJudge"]), rubric };
    }
    return {
      ...(generator === undefined ? {} : { generator }),
      ...(translator === undefined ? {} : { translator }),
      ...(refusalJudge === undefined ? {} : { refusalJudge }),
      attackers,
      refusers,
      close,
    };
  } catch (error) {
    // The binding error is the one to show. `void close()` let a failing close become an unhandled rejection, which
    // ends the process with that close error's stack instead; models half-bound here hold nothing worth reporting.
    close().catch(() => undefined);
    throw error;
  }
}

const ROLE_EXAMPLES: Readonly<Record<string, string>> = {
  generator: 'generator: { id: seed-writer, model: "openai:gpt-4o" }',
  translator: 'translator: { id: translator, model: "openai:gpt-4o" }',
  refusalJudge: 'refusalJudge: { id: refusal-judge, model: "openai:gpt-4o-mini" }',
  attackers: 'attackers: [{ id: attacker-a, model: "openai:gpt-4o" }, ...]',
  refusers: 'refusers: [{ id: ref-a, model: "openai:gpt-4o-mini" }, ...]',
};

function required<T>(settings: T | undefined, role: string, options: BindOptions): T {
  if (settings !== undefined) return settings;
  throw new InputError(
    "config_invalid",
    { file: options.configPath ?? "config", field: role },
    `this command needs a \`${role}\` model in the config`,
    `Add a top-level key like \`${ROLE_EXAMPLES[role] ?? role}\` (same fields as a target)`,
  );
}

function selectList(
  config: Config,
  role: "attackers" | "refusers",
  ids: readonly string[] | "all",
  options: BindOptions,
): [ModelSettings, number][] {
  const list = required(config[role], role, options);
  const indexed = list.map((settings, index): [ModelSettings, number] => [settings, index]);
  if (ids === "all") return indexed;
  return ids.map((id) => {
    const found = indexed.find(([settings]) => settings.id === id);
    if (found !== undefined) return found;
    const line = options.lineOf?.([role]);
    throw new InputError(
      "config_invalid",
      { file: options.configPath ?? "config", ...(line === undefined ? {} : { line }), field: role },
      `--${role} names "${id}", which is not an id in ${role}`,
      `Use ids from the config's ${role}: ${list.map((settings) => settings.id).join(", ")}`,
    );
  });
}

function loadRubricAt(reference: string, options: BindOptions): LoadedRubric {
  const rubric = loadRubric(reference);
  if (!(rubric.rubric.labels ?? []).includes("refuse")) {
    const line = options.lineOf?.(["refusalJudge", "rubric"]);
    throw new InputError(
      "config_invalid",
      { file: options.configPath ?? "config", ...(line === undefined ? {} : { line }), field: "refusalJudge.rubric" },
      `rubric "${rubric.rubric.id}" has no "refuse" label`,
      `Use the built-in "${DEFAULT_REFUSAL_RUBRIC}" rubric or one whose labels include refuse`,
    );
  }
  return rubric;
}

function sampling(settings: ModelSettings): GenerationModel["sampling"] {
  return {
    ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
    ...(settings.maxTokens === undefined ? {} : { maxTokens: settings.maxTokens }),
    ...(settings.seed === undefined ? {} : { seed: settings.seed }),
  };
}

function locate(error: unknown, options: BindOptions, path: (string | number)[]): unknown {
  if (!(error instanceof MedsafetyError) || options.configPath === undefined) return error;
  const line = options.lineOf?.(path);
  return new InputError(
    "config_invalid",
    { file: options.configPath, ...(line === undefined ? {} : { line }), field: path.join(".") },
    error.message.replace(/\.$/, ""),
    "Fix this binding in the config",
  );
}
