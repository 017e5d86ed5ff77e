import { InputError, MedsafetyError } from "../core/index.js";
import type { DiscoveryRoles, GenerationModel } from "../generation/index.js";
import {
  type ChatModel,
  createChatModel,
  createEmbeddingModel,
  type EmbeddingModel,
  LocalEmbeddingPool,
  LocalModelPool,
  type ModelSettings,
} from "../providers/index.js";
import type { BindOptions } from "./bind-models.js";
import type { Config } from "./schema.js";

/** Ids chosen on the command line; a role left out uses the config's binding for it. */
export interface DiscoveryRoleRequest {
  readonly attacker?: string;
  readonly target?: string;
  readonly scorer?: string;
  readonly summarizer?: string;
  readonly embedder?: string;
}

export interface BoundDiscoveryModels {
  readonly roles: DiscoveryRoles;
  /** The settings of each role (frozen into the run's parameters). */
  readonly settings: Readonly<Record<keyof DiscoveryRoles, ModelSettings>>;
  close(): Promise<void>;
}

type Role = keyof DiscoveryRoles;

const EXAMPLES: Readonly<Record<Role, string>> = {
  attacker: 'attacker: { id: red-team, model: "openai:gpt-4o" } (or an entry of attackers)',
  target: 'targets: [{ id: my-model, model: "openai-compatible:llama3", baseURL: ... }]',
  scorer: 'scorer: { id: scorer, model: "openai:gpt-4o-mini" }',
  summarizer: 'summarizer: { id: summarizer, model: "openai:gpt-4o" }',
  embedder: 'embedder: { id: embedder, model: "openai:text-embedding-3-small" }',
};

/**
 * Binds the discovery roles. Defaults: the attacker is `attacker` (else the first of `attackers`), the target the first
 * of `targets`, and scorer, summarizer and embedder their own keys. A role given by id (`--target my-model`) may name
 * any binding of the config. No response cache: every answer is kept by key in the generation store.
 */
export function bindDiscoveryModels(
  config: Config,
  request: DiscoveryRoleRequest,
  options: BindOptions,
): BoundDiscoveryModels {
  const local = new LocalModelPool();
  const localEmbeddings = new LocalEmbeddingPool();
  const models: (ChatModel | EmbeddingModel)[] = [];
  const close = async (): Promise<void> => {
    await Promise.allSettled(models.map((model) => model.close()));
    await local.close();
    await localEmbeddings.close();
  };
  const bindings = allBindings(config);
  const choose = (
    role: Role,
    fallback: [ModelSettings, (string | number)[]] | undefined,
  ): [ModelSettings, (string | number)[]] => {
    const id = request[role];
    if (id !== undefined) {
      const found = bindings.find(([settings]) => settings.id === id);
      if (found !== undefined) return found;
      throw new InputError(
        "config_invalid",
        { file: options.configPath ?? "config", field: role },
        `--${role} names "${id}", which is no binding id in the config`,
        `Use one of: ${[...new Set(bindings.map(([settings]) => settings.id))].join(", ") || "(none)"}`,
      );
    }
    if (fallback !== undefined) return fallback;
    throw new InputError(
      "config_invalid",
      { file: options.configPath ?? "config", field: role },
      `discover needs a ${role} model`,
      `Add \`${EXAMPLES[role]}\` to the config, or name a binding with --${role} <id>`,
    );
  };
  const chat = ([settings, path]: [ModelSettings, (string | number)[]]): GenerationModel => {
    const model = located(() => createChatModel(settings, { env: options.env, local }), options, path);
    models.push(model);
    return { id: settings.id, spec: settings.model, model, sampling: sampling(settings) };
  };
  try {
    const attacker = choose(
      "attacker",
      config.attacker !== undefined
        ? [config.attacker, ["attacker"]]
        : config.attackers?.[0] === undefined
          ? undefined
          : [config.attackers[0], ["attackers", 0]],
    );
    const target = choose("target", config.targets[0] === undefined ? undefined : [config.targets[0], ["targets", 0]]);
    const scorer = choose("scorer", config.scorer === undefined ? undefined : [config.scorer, ["scorer"]]);
    const summarizer = choose(
      "summarizer",
      config.summarizer === undefined ? undefined : [config.summarizer, ["summarizer"]],
    );
    const embedder = choose("embedder", config.embedder === undefined ? undefined : [config.embedder, ["embedder"]]);
    const embeddingModel = located(
      () => createEmbeddingModel(embedder[0], { env: options.env, local: localEmbeddings }),
      options,
      embedder[1],
    );
    models.push(embeddingModel);
    return {
      roles: {
        attacker: chat(attacker),
        target: chat(target),
        scorer: chat(scorer),
        summarizer: chat(summarizer),
        embedder: { id: embedder[0].id, spec: embedder[0].model, model: embeddingModel },
      },
      settings: {
        attacker: attacker[0],
        target: target[0],
        scorer: scorer[0],
        summarizer: summarizer[0],
        embedder: embedder[0],
      },
      close,
    };
  } catch (error) {
    // The binding error is the one to show. `void close()` let a failing close become an unhandled rejection, which
    // ends the process with that close error's stack instead; models half-bound here hold nothing worth reporting.
    close().catch(() => undefined);
    throw error;
  }
}

/** Every model binding of the config with its key path, in config order. */
function allBindings(config: Config): [ModelSettings, (string | number)[]][] {
  const list: [ModelSettings, (string | number)[]][] = [];
  const one = (settings: ModelSettings | undefined, key: string): void => {
    if (settings !== undefined) list.push([settings, [key]]);
  };
  const many = (settings: readonly ModelSettings[] | undefined, key: string): void => {
    for (const [index, entry] of (settings ?? []).entries()) list.push([entry, [key, index]]);
  };
  many(config.targets, "targets");
  many(config.judges, "judges");
  one(config.attacker, "attacker");
  many(config.attackers, "attackers");
  one(config.scorer, "scorer");
  one(config.summarizer, "summarizer");
  one(config.embedder, "embedder");
  one(config.generator, "generator");
  one(config.translator, "translator");
  many(config.refusers, "refusers");
  one(config.refusalJudge, "refusalJudge");
  one(config.safeResponder, "safeResponder");
  return list;
}

function located<T>(create: () => T, options: BindOptions, path: (string | number)[]): T {
  try {
    return create();
  } catch (error) {
    if (!(error instanceof MedsafetyError) || options.configPath === undefined) throw error;
    const line = options.lineOf?.(path);
    throw new InputError(
      "config_invalid",
      { file: options.configPath, ...(line === undefined ? {} : { line }), field: path.join(".") },
      error.message.replace(/\.$/, ""),
      "Fix this binding in the config",
    );
  }
}

function sampling(settings: ModelSettings): GenerationModel["sampling"] {
  return {
    ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
    ...(settings.maxTokens === undefined ? {} : { maxTokens: settings.maxTokens }),
    ...(settings.seed === undefined ? {} : { seed: settings.seed }),
  };
}
