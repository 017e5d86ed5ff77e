import { z } from "zod";
import { modelSettingsSchema } from "../providers/index.js";

/** Built-in rubric the refusal judge applies unless the binding names another (src/judges/rubrics/refusal.json). */
export const DEFAULT_REFUSAL_RUBRIC = "refusal";

/** The refusal judge of `filter seeds`: a model plus the refusal rubric it applies (labels refuse / partial / comply). */
export const refusalJudgeSettingsSchema = modelSettingsSchema.extend({
  rubric: z
    .string()
    .optional()
    .describe(
      "Refusal rubric: built-in id (default: refusal) or the path of a rubric JSON file whose labels include refuse.",
    ),
});

/**
 * The benchmark-construction roles (issue 3), one block of the project config: who writes seeds, who turns them
 * into conversations, which reference models filter them, who judges refusals and who translates. Every binding
 * has the same fields as a target.
 */
export const pipelineRolesShape = {
  generator: modelSettingsSchema
    .optional()
    .describe("`generate seeds`: the model that writes harmful seed requests per guideline (structured output)."),
  attackers: z
    .array(modelSettingsSchema)
    .min(1)
    .optional()
    .describe(
      "`generate conversations`: attacker models that turn each seed into the user turns of a conversation; choose some with --attackers a,b.",
    ),
  refusers: z
    .array(modelSettingsSchema)
    .min(1)
    .optional()
    .describe(
      "`filter seeds`: reference models that answer every seed; a seed is kept when at least --min-refusals of them refuse.",
    ),
  refusalJudge: refusalJudgeSettingsSchema
    .optional()
    .describe(
      "`filter seeds`: the judge that labels each reference answer refuse / partial / comply with a refusal rubric.",
    ),
  translator: modelSettingsSchema
    .optional()
    .describe(
      "`translate`: the model that translates benchmark items (and back-translates them for the similarity check).",
    ),
} as const;

/** Unique ids within `attackers` and within `refusers` (they are chosen by id on the command line). */
export function checkPipelineRoles(
  config: { attackers?: readonly { id: string }[] | undefined; refusers?: readonly { id: string }[] | undefined },
  context: z.core.$RefinementCtx,
): void {
  for (const role of ["attackers", "refusers"] as const) {
    const seen = new Set<string>();
    (config[role] ?? []).forEach((binding, index) => {
      if (seen.has(binding.id))
        context.addIssue({
          code: "custom",
          path: [role, index, "id"],
          message: `id "${binding.id}" is used twice in ${role}; ids must be unique within ${role}`,
        });
      seen.add(binding.id);
    });
  }
}

interface PipelineRoles {
  generator?: { model: string } | undefined;
  attackers?: { model: string }[] | undefined;
  refusers?: { model: string }[] | undefined;
  refusalJudge?: { model: string; rubric?: string | undefined } | undefined;
  translator?: { model: string } | undefined;
}

/** The pipeline roles with `local:` model paths and a refusal rubric file path resolved (by the given functions). */
export function resolvePipelineRolePaths<T extends PipelineRoles>(
  config: T,
  model: (spec: string) => string,
  rubric: (reference: string) => string,
): Partial<T> {
  const one = <B extends { model: string }>(binding: B | undefined): B | undefined =>
    binding === undefined ? undefined : { ...binding, model: model(binding.model) };
  const resolved: Partial<T> = {};
  if (config.generator !== undefined) Object.assign(resolved, { generator: one(config.generator) });
  if (config.translator !== undefined) Object.assign(resolved, { translator: one(config.translator) });
  if (config.attackers !== undefined)
    Object.assign(resolved, { attackers: config.attackers.map((binding) => one(binding)) });
  if (config.refusers !== undefined)
    Object.assign(resolved, { refusers: config.refusers.map((binding) => one(binding)) });
  if (config.refusalJudge !== undefined) {
    const judge = config.refusalJudge;
    Object.assign(resolved, {
      refusalJudge: {
        ...judge,
        model: model(judge.model),
        ...(judge.rubric === undefined ? {} : { rubric: rubric(judge.rubric) }),
      },
    });
  }
  return resolved;
}
