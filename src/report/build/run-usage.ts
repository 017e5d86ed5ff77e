import { DEFAULT_RUBRIC } from "../../judges/index.js";
import { type Db, judgmentUsage, type RunRecord, type RunUsage } from "../../store/index.js";
import { rubricsUsed } from "./build-scale-summary.js";
import type { TurnTable, UsageSums } from "./turn-table.js";

/**
 * The run's calls and tokens (what `RunRepository.usage` counts), without another pass over every turn and
 * judgment: the turn table already summed each target's turns and multi-turn judgments; only the other rubrics'
 * judgments are summed here, each along its own index range.
 */
export function runUsage(db: Db, run: RunRecord, table: TurnTable): RunUsage {
  const sums: UsageSums[] = table.targets.flatMap((target) => [target.turnUsage, target.judgmentUsage]);
  const judgments: UsageSums[] = table.targets.map((target) => target.judgmentUsage);
  for (const rubricId of rubricsUsed(db, run)) {
    if (rubricId === DEFAULT_RUBRIC) continue;
    const usage = judgmentUsage(db, run.id, rubricId);
    sums.push(usage);
    judgments.push(usage);
  }
  const total = (list: readonly UsageSums[], field: keyof UsageSums): number =>
    list.reduce((sum, usage) => sum + usage[field], 0);
  return {
    targetCalls: total(
      table.targets.map((target) => target.turnUsage),
      "calls",
    ),
    judgeCalls: total(judgments, "calls"),
    cachedCalls: total(sums, "cached"),
    inputTokens: total(sums, "inputTokens"),
    outputTokens: total(sums, "outputTokens"),
  };
}
