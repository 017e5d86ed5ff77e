import type { z } from "zod";

interface BatchKeys {
  readonly mode: string;
  readonly targets: readonly { readonly model: string; readonly batch?: boolean | undefined }[];
  readonly judges: readonly { readonly model: string; readonly batch?: boolean | undefined }[];
  readonly attacker?: { readonly model: string; readonly batch?: boolean | undefined } | undefined;
}

/** Providers with a batch API here (providers/batch, decision 0019). */
const BATCH_PROVIDERS = ["openai:", "anthropic:"];

/**
 * `batch: true` only where it can work: on an openai: or anthropic: target or judge of a replay run. Adaptive mode
 * reads each score before writing the next turn, one conversation at a time, so it has no rounds to batch.
 */
export function checkBatchBindings(config: BatchKeys, context: z.core.$RefinementCtx): void {
  const check = (
    binding: { readonly model: string; readonly batch?: boolean | undefined },
    path: (string | number)[],
  ) => {
    if (binding.batch !== true) return;
    if (binding.model.startsWith("openai-moderation:"))
      context.addIssue({
        code: "custom",
        path: [...path, "batch"],
        message:
          "batch: true cannot apply to the moderation endpoint (openai-moderation:): it has no batch API and is free to call; remove batch from this binding",
      });
    else if (!BATCH_PROVIDERS.some((prefix) => binding.model.startsWith(prefix)))
      context.addIssue({
        code: "custom",
        path: [...path, "batch"],
        message: `batch: true needs a provider with a batch API (openai: or anthropic:), not "${binding.model}"; remove batch from this binding`,
      });
    else if (config.mode === "adaptive" || path[0] === "attacker")
      context.addIssue({
        code: "custom",
        path: [...path, "batch"],
        message:
          "batch: true works in mode: replay only (adaptive mode needs each score before the next turn, so its calls cannot wait for a batch); remove batch or use mode: replay",
      });
  };
  for (const [index, target] of config.targets.entries()) check(target, ["targets", index]);
  for (const [index, judge] of config.judges.entries()) check(judge, ["judges", index]);
  if (config.attacker !== undefined) check(config.attacker, ["attacker"]);
}
