import type { Config } from "../config/index.js";
import type { GenerationBudget, GenerationModel } from "../generation/index.js";
import { type BudgetBinding, requirePricedBindings } from "../library/index.js";
import { type ModelSettings, resolvePrice } from "../providers/index.js";

/** Where error messages point: the config file and the line of a key in it. */
interface ConfigPlace {
  readonly file: string;
  readonly lineOf?: (path: readonly (string | number)[]) => number | undefined;
}

/**
 * A generation command's budget (decision 0021): `--max-cost` or the config's `maxCost`, with each bound model's price
 * from its binding (`price:` or the price table). Every model the command bound must be priced, checked before the
 * command's generation run is recorded: a model without a price refuses the budget with the binding and the fix.
 */
export function generationBudgetOf(
  config: Config,
  place: ConfigPlace,
  maxCostUsd: number,
  models: readonly GenerationModel[],
): GenerationBudget {
  const bindings = configBindings(config);
  requirePricedBindings(
    models.flatMap((model) => {
      const found = bindingOf(bindings, model);
      return found === undefined ? [] : [found];
    }),
    place,
  );
  return {
    maxCostUsd,
    priceOf: (model) => {
      const binding = bindingOf(bindings, model);
      const price = binding === undefined ? undefined : resolvePrice(binding.settings);
      if (binding !== undefined && price !== undefined) return price;
      // A model bound outside the session (discover's roles) and unpriced: refused when its first task would start.
      requirePricedBindings(binding === undefined ? [] : [binding], place);
      throw new Error(`generation budget: model ${model.id} (${model.spec}) is no binding of the config`);
    },
  };
}

/** Refuses a budget for a command whose models are bound outside the session (discover) when one is unpriced. */
export function requirePricedSettings(
  config: Config,
  place: ConfigPlace,
  settings: readonly Pick<ModelSettings, "id" | "model">[],
): void {
  const bindings = configBindings(config);
  requirePricedBindings(
    settings.flatMap((binding) => {
      const found = bindingOf(bindings, { id: binding.id, spec: binding.model });
      return found === undefined ? [] : [found];
    }),
    place,
  );
}

/** The bound models of a pipeline command, as a list. */
export function pipelineModelList(models: {
  readonly generator?: GenerationModel;
  readonly translator?: GenerationModel;
  readonly refusalJudge?: GenerationModel;
  readonly attackers: readonly GenerationModel[];
  readonly refusers: readonly GenerationModel[];
}): GenerationModel[] {
  return [
    ...(models.generator === undefined ? [] : [models.generator]),
    ...(models.translator === undefined ? [] : [models.translator]),
    ...(models.refusalJudge === undefined ? [] : [models.refusalJudge]),
    ...models.attackers,
    ...models.refusers,
  ];
}

/** Every chat-model binding of the config with its key path. */
function configBindings(config: Config): BudgetBinding[] {
  const one = (settings: ModelSettings | undefined, path: string): BudgetBinding[] =>
    settings === undefined ? [] : [{ settings, path: [path] }];
  const list = (settings: readonly ModelSettings[] | undefined, path: string): BudgetBinding[] =>
    (settings ?? []).map((binding, index) => ({ settings: binding, path: [path, index] }));
  return [
    ...one(config.generator, "generator"),
    ...one(config.translator, "translator"),
    ...one(config.refusalJudge, "refusalJudge"),
    ...list(config.attackers, "attackers"),
    ...list(config.refusers, "refusers"),
    ...one(config.attacker, "attacker"),
    ...one(config.scorer, "scorer"),
    ...one(config.summarizer, "summarizer"),
    ...list(config.targets, "targets"),
    ...list(config.judges, "judges"),
  ];
}

/** The binding of a bound model: same id (and spec, when several bindings share the id). */
function bindingOf(
  bindings: readonly BudgetBinding[],
  model: { readonly id: string; readonly spec: string },
): BudgetBinding | undefined {
  const sameId = bindings.filter((binding) => binding.settings.id === model.id);
  return sameId.find((binding) => binding.settings.model === model.spec) ?? sameId[0];
}
