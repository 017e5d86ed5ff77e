import { z } from "zod";
import { hashValue } from "../../core/index.js";

/** User turns of a JMedEthicBench conversation (turn 0 opening, turn 1 escalation, turn 2 push; protocols.md §1). */
export const DEFAULT_STRATEGY_TURNS = 3;

/** The most turns a strategy may describe: the same limit as a benchmark item's user turns. */
export const MAX_STRATEGY_TURNS = 50;

/** Version of the strategy library file format (`{ version, strategies }`). */
export const STRATEGY_LIBRARY_VERSION = 1;

/** Where a strategy comes from: shipped with the package, written by a user, or found by strategy discovery. */
export const STRATEGY_ORIGINS = ["builtin", "user", "discovered"] as const;

const text = z.string().trim().min(1, "must not be empty");

/** One text in both first-class languages. */
export const bilingualTextSchema = z.strictObject({ ja: text, en: text });

/**
 * Provenance of a discovered strategy. Free-form (any further keys are kept), but the keys named here are
 * checked: the discovery run, the attempts the strategy was summarised from, and the strategies (`id@version`)
 * it was derived from.
 */
export const strategyLineageSchema = z.looseObject({
  runId: z.string().min(1).optional(),
  attemptIds: z.array(z.string().min(1)).optional(),
  parentIds: z.array(z.string().min(1)).optional(),
});

/**
 * One jailbreak strategy: how an attacker escalates over the user turns of a conversation, in ja + en. The
 * example is user-side only and names the harmful request abstractly in brackets, never operationally.
 */
export const strategySchema = z
  .strictObject({
    id: z
      .string()
      .max(64)
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "use kebab-case: lowercase letters and digits joined by single '-'"),
    version: z.number().int().positive(),
    origin: z.enum(STRATEGY_ORIGINS),
    name: bilingualTextSchema,
    definition: bilingualTextSchema,
    /** How each user turn escalates: turn 0 opening, turn 1 escalation, turn 2 push (3 by default). */
    turns: z.array(bilingualTextSchema).min(1).max(MAX_STRATEGY_TURNS),
    /** An illustrative conversation, user turns only, one line per turn in each language. */
    example: z.strictObject({ ja: z.array(text).min(1), en: z.array(text).min(1) }),
    lineage: strategyLineageSchema.optional(),
  })
  .superRefine((strategy, context) => {
    const turns = strategy.turns.length;
    for (const language of ["ja", "en"] as const) {
      const count = strategy.example[language].length;
      if (count !== turns) {
        context.addIssue({
          code: "custom",
          path: ["example", language],
          message: `the ${language} example has ${count} turn(s) but the strategy describes ${turns}; give one example line per turn in both ja and en`,
        });
      }
    }
  });

/** A strategy library file (YAML or JSON): unknown keys are rejected at every level but `lineage`. */
export const strategyLibrarySchema = z.strictObject({
  version: z.literal(STRATEGY_LIBRARY_VERSION),
  strategies: z.array(strategySchema).min(1, "a library needs at least one strategy"),
});

export type Strategy = z.output<typeof strategySchema>;
export type BilingualText = z.output<typeof bilingualTextSchema>;

/** How strategies are named everywhere (config, store, reports): `id@version`. */
export type StrategyRef = `${string}@${number}`;

export function strategyRef(strategy: Pick<Strategy, "id" | "version">): StrategyRef {
  return `${strategy.id}@${strategy.version}`;
}

/**
 * Content hash of a validated strategy (canonical JSON, so key order and file format do not matter). Part of a
 * strategy's provenance: the same `id@version` with another hash is another text.
 */
export function strategyHash(strategy: Strategy): string {
  return hashValue(strategy);
}

/** Role of user turn `index` in a conversation of `count` turns: opening, escalation, push. */
export function turnRole(index: number, count: number): "opening" | "escalation" | "push" {
  if (index === 0) return "opening";
  return index === count - 1 ? "push" : "escalation";
}
