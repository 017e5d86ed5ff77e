import type { Config } from "../config/index.js";
import { InputError } from "../core/index.js";
import type { RubricSet } from "../judges/index.js";
import { type ModelSettings, type Price, resolvePrice } from "../providers/index.js";
import type { AdaptiveMode, ConversationJob, RunEvents, RunJudge, RunStores } from "../runner/index.js";
import { conversationsSpent, runSpent } from "../store/index.js";
import { conversationCostEstimate, type EstimatedBinding, plannedCalls } from "./budget-estimate.js";
import { createRunBudget, type RunBudget } from "./run-budget.js";

/** Where error messages point (run-steps.ts `ConfigPlace`). */
interface ConfigPlace {
  readonly file: string;
  readonly lineOf?: (path: readonly (string | number)[]) => number | undefined;
}

/** What a budget reads of a bound run (run-steps.ts `BoundRun`). */
interface BudgetedRun {
  readonly config: Config;
  readonly bound: { readonly judges: readonly RunJudge[] };
  readonly adaptive: AdaptiveMode | undefined;
  readonly rubricSet: RubricSet;
}

/**
 * What a budget needs from the config and the store (decision 0021): every binding priced (a hosted model without a
 * price refuses a budget before anything starts), and the run's budget admission over its stored cost.
 */

/** One binding a budget must price, and where it is in the config. */
export interface BudgetBinding {
  readonly settings: Pick<ModelSettings, "id" | "model" | "price">;
  readonly path: readonly (string | number)[];
}

/**
 * Refuses a budget when one of `bindings` is unpriced (a hosted model the price table does not know and without
 * `price:`): its calls would cost an unknown amount, so no limit could be kept. The error names the binding, its place
 * in the config and the fix.
 */
export function requirePricedBindings(bindings: readonly BudgetBinding[], place: ConfigPlace): void {
  for (const { settings, path } of bindings) {
    if (resolvePrice(settings) !== undefined) continue;
    const line = place.lineOf?.(path);
    throw new InputError(
      "config_invalid",
      { file: place.file, ...(line === undefined ? {} : { line }), field: [...path, "price"].join(".") },
      `the budget (--max-cost / maxCost) cannot be kept: binding "${settings.id}" (${settings.model}) has no known price, so its calls would cost an unknown amount`,
      `Give it a price in the config, e.g. \`price: { input: 0.15, output: 0.6 }\` (USD per million tokens; see \`medsafety schema\`), or run without a budget`,
    );
  }
}

/** Every binding of a run: targets, judges and (adaptive mode) the attacker. */
export function runBindings(config: Config): BudgetBinding[] {
  return [
    ...config.targets.map((settings, index) => ({ settings, path: ["targets", index] })),
    ...config.judges.map((settings, index) => ({ settings, path: ["judges", index] })),
    ...(config.attacker === undefined || config.mode !== "adaptive"
      ? []
      : [{ settings: config.attacker, path: ["attacker"] }]),
  ];
}

/** The budget admission of a run about to execute (or resume), over what its store already holds. */
export function runBudgetOf(
  stores: RunStores,
  run: BudgetedRun,
  options: {
    readonly runId: string;
    readonly maxCostUsd: number;
    readonly resume: boolean;
    readonly retryErrors: boolean;
    readonly events: RunEvents;
  },
): RunBudget {
  const { config, bound, adaptive, rubricSet } = run;
  const priced = (settings: ModelSettings): EstimatedBinding => ({
    price: priceOrThrow(settings),
    ...(settings.maxTokens === undefined ? {} : { maxTokens: settings.maxTokens }),
    ...(settings.systemPrompt === undefined ? {} : { systemPrompt: settings.systemPrompt }),
  });
  const targets = new Map(config.targets.map((settings) => [settings.id, priced(settings)]));
  const judges = config.judges.map((settings, index) => ({ binding: priced(settings), bound: bound.judges[index] }));
  const attacker = adaptive === undefined || config.attacker === undefined ? undefined : priced(config.attacker);
  const turnsOf = (job: ConversationJob): number => adaptive?.adaptive.plannedTurns(job.item) ?? job.item.turns.length;
  const spent = options.resume ? runSpent(stores.db, options.runId) : { costUsd: 0, unpricedCalls: 0 };
  return createRunBudget({
    maxCostUsd: options.maxCostUsd,
    spentUsd: spent.costUsd,
    stored: options.resume ? conversationsSpent(stores.db, options.runId) : [],
    plannedCalls: (job) => plannedCalls(turnsOf(job), config.judges.length),
    priorCostUsd: (job) => {
      const target = targets.get(job.target.id);
      if (target === undefined) throw new Error(`runBudgetOf: target ${job.target.id} is not in the run's config`);
      return conversationCostEstimate({
        item: job.item,
        turns: turnsOf(job),
        target,
        judges: judges.map(({ binding, bound: judge }) => ({
          ...binding,
          rubric: (judge?.rubric ?? rubricSet.get(job.item.rubric)).rubric,
        })),
        ...(attacker === undefined ? {} : { attacker }),
      });
    },
    retryErrors: options.retryErrors,
    events: options.events,
  });
}

function priceOrThrow(settings: ModelSettings): Price {
  const price = resolvePrice(settings);
  if (price === undefined)
    throw new Error(`binding ${settings.id} is unpriced: requirePricedBindings should have refused the budget`);
  return price;
}
