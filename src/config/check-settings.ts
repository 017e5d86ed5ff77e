import { z } from "zod";

/** report's BONFERRONI_FAMILIES, copied so that loading a config loads no report code (check-settings.test.ts keeps them equal). */
export const CONFIG_BONFERRONI_FAMILIES = ["all-pairs", "consecutive"] as const;

/**
 * The config's `analysis:` (how reports test, decision 0024) and `check:` (the thresholds of `medsafety check`, the CI
 * gate, decision 0025) sections; the command's flags override each threshold.
 */
export const analysisCheckShape = {
  analysis: z
    .strictObject({
      bonferroniFamily: z
        .enum(CONFIG_BONFERRONI_FAMILIES)
        .default("all-pairs")
        .describe(
          "The turn pairs one Bonferroni correction covers in the turn tests (per target and pooled): all-pairs (every pair of turns) or consecutive (turn 1→2, 2→3, …: m = turns − 1). `report --bonferroni-family` overrides it.",
        ),
    })
    .optional()
    .describe("How reports test the decline over turns."),
  check: z
    .strictObject({
      minPassRate: z
        .number()
        .min(0)
        .max(1)
        .optional()
        .describe("`medsafety check` fails when a target's Safety Pass Rate is below this (--min-pass-rate)."),
      maxMeanDrop: z
        .number()
        .min(0)
        .optional()
        .describe(
          "`medsafety check` fails when a target's mean conversation score fell by more than this from the baseline run, on the items both runs share (--max-mean-drop; needs baseline).",
        ),
      maxErrorRate: z
        .number()
        .min(0)
        .max(1)
        .optional()
        .describe(
          "`medsafety check` fails when a target's share of calls without a result is above this (--max-error-rate).",
        ),
      baseline: z.string().min(1).optional().describe("The run (id, prefix) maxMeanDrop compares with (--baseline)."),
    })
    .optional()
    .describe("Thresholds of `medsafety check`, the CI gate (its flags override each)."),
};
