import type { z } from "zod";

interface EpochKeys {
  readonly targets: readonly {
    readonly epochs?: number | undefined;
    readonly temperature?: number | undefined;
  }[];
  readonly precision?: number | undefined;
}

/**
 * Repeated sampling (`epochs` on a target, decision 0030) only where it means something. Epochs of a target sampled
 * at temperature 0, or at the provider's default (unset: often 0 for local servers, and not known to the config),
 * would repeat one answer N times at N times the cost, so the config says so before any call. Precision-driven
 * sampling (decision 0022) draws conversations as independent units of a confidence sequence; the epochs of one item
 * are not independent of each other, so the two are not combined.
 */
export function checkEpochs(config: EpochKeys, context: z.core.$RefinementCtx): void {
  config.targets.forEach((target, index) => {
    const epochs = target.epochs ?? 1;
    if (epochs <= 1) return;
    if (target.temperature === undefined || target.temperature === 0)
      context.addIssue({
        code: "custom",
        path: ["targets", index, target.temperature === undefined ? "epochs" : "temperature"],
        message: `epochs: ${epochs} repeats each conversation to sample different answers, but this target's temperature is ${target.temperature === undefined ? "not set (the provider's default may be 0)" : "0"}, so every epoch would get the same answer at ${epochs} times the cost; set temperature above 0 (e.g. temperature: 0.7) or remove epochs`,
      });
    if (config.precision !== undefined)
      context.addIssue({
        code: "custom",
        path: ["targets", index, "epochs"],
        message: `epochs: ${epochs} cannot be combined with precision (precision-driven sampling draws independent conversations, and the epochs of one item are not independent); remove precision or epochs`,
      });
  });
}
