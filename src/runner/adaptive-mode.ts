import { errorMessage, InputError } from "../core/index.js";
import type { BenchmarkItem, VersionedItem } from "../datasets/index.js";
import { findStrategy, type LoadedStrategy, loadStrategies } from "../generation/index.js";
import { adaptiveAttack, isAdaptiveItem, plannedTurns, strategyReferenceOf } from "./adaptive-attack.js";
import type { Attack } from "./attack.js";
import { type AttackerPrompt, loadAttackerPrompt } from "./attacker-prompt.js";
import type { RunAttacker, RunContext } from "./run-context.js";

export interface AdaptiveModeSettings {
  readonly attacker: RunAttacker;
  readonly maxTurns?: number;
  readonly stopWhenScoreAtMost?: number;
  /** Default: the built-in strategy library. */
  readonly strategies?: readonly LoadedStrategy[];
  /** Default: the built-in adaptive-attacker prompt. */
  readonly prompt?: AttackerPrompt;
}

/** Everything a run needs for adaptive mode: the attack, the runner's adaptive settings, and the checks at run creation. */
export interface AdaptiveMode {
  readonly attack: Attack;
  readonly adaptive: NonNullable<RunContext["adaptive"]>;
  /** User turns planned per item, stored as the item's turn count (reports count turns not reached against it). */
  readonly turnCountOf: (item: BenchmarkItem) => number;
  /** Throws an InputError naming the item's file and line when its strategy is not in the library. */
  readonly checkItem: (versioned: VersionedItem) => void;
}

/** Builds adaptive mode from the config's settings (attacker, maxTurns, stopWhenScoreAtMost). */
export function createAdaptiveMode(settings: AdaptiveModeSettings): AdaptiveMode {
  const strategies = settings.strategies ?? loadStrategies();
  const turnCountOf = (item: BenchmarkItem): number => plannedTurns(item, settings.maxTurns);
  return {
    attack: adaptiveAttack({
      attacker: settings.attacker,
      strategies,
      prompt: settings.prompt ?? loadAttackerPrompt(),
      ...(settings.maxTurns === undefined ? {} : { maxTurns: settings.maxTurns }),
      ...(settings.stopWhenScoreAtMost === undefined ? {} : { stopWhenScoreAtMost: settings.stopWhenScoreAtMost }),
    }),
    adaptive: { plannedTurns: turnCountOf, attackerId: settings.attacker.id },
    turnCountOf,
    checkItem: (versioned) => {
      if (!isAdaptiveItem(versioned.item)) return;
      try {
        findStrategy(strategies, strategyReferenceOf(versioned.item));
      } catch (error) {
        throw new InputError(
          "dataset_invalid",
          { file: versioned.file, line: versioned.line, field: "strategy" },
          `item "${versioned.item.id}": ${errorMessage(error).replace(/\.$/, "")}`,
          "mode: adaptive tells the attacker the item's strategy: use a strategy of the library (`medsafety strategies list`), or run this benchmark with mode: replay",
        );
      }
    },
  };
}
