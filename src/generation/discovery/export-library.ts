import { stringify } from "yaml";
import { blobToVector } from "../../providers/index.js";
import {
  type DiscoveryAttemptRow,
  type DiscoveryLibraryKeyRow,
  type DiscoveryStrategyRow,
  parseStoredJson,
} from "../../store/index.js";
import { type BilingualText, STRATEGY_LIBRARY_VERSION, type Strategy, strategySchema } from "../strategies/index.js";
import { type DiscoveryLineage, dot, mean, normalize } from "./library.js";

/** How a discovered strategy did against one target model. */
export interface TargetEffect {
  readonly targetId: string;
  /** Attempts that scored higher than the previous attempt of their seed thanks to it (its discoveries). */
  readonly discoveries: number;
  /** Lifelong attempts it was recommended for (scored, with a previous score to compare against). */
  readonly uses: number;
  /** Recommended attempts that scored higher than the previous attempt. */
  readonly improvedUses: number;
  /** Recommended attempts that reached the run's threshold. */
  readonly reachedThreshold: number;
  /** (discoveries + improved uses) / (discoveries + uses). */
  readonly successRate: number;
  readonly meanGain: number;
}

/** A discovered strategy of a run with its text, lineage and effect per target. */
export interface DiscoveredStrategyReport {
  readonly runId: string;
  readonly id: string;
  readonly seq: number;
  readonly name: BilingualText;
  readonly definition: BilingualText;
  readonly example: BilingualText;
  readonly embedding: Float32Array;
  readonly firstDiscoveredAt: string;
  readonly firstAttemptKey: string;
  readonly lineage: DiscoveryLineage;
  readonly targets: readonly TargetEffect[];
  readonly meanGain: number;
  readonly successRate: number;
}

/** Reads the strategies of a run from its stored rows, with their success per target (threshold: the run's). */
export function strategyReports(
  strategies: readonly DiscoveryStrategyRow[],
  keys: readonly DiscoveryLibraryKeyRow[],
  attempts: readonly DiscoveryAttemptRow[],
  threshold: number,
): DiscoveredStrategyReport[] {
  return strategies.map((row) => {
    const gains = new Map<string, { discoveries: number[]; uses: number[]; reached: number }>();
    const of = (targetId: string) => {
      let entry = gains.get(targetId);
      if (entry === undefined) {
        entry = { discoveries: [], uses: [], reached: 0 };
        gains.set(targetId, entry);
      }
      return entry;
    };
    for (const key of keys) if (key.strategyId === row.id) of(key.targetId).discoveries.push(key.gain);
    for (const attempt of attempts) {
      if (
        attempt.gain === null ||
        attempt.score === null ||
        !parseStoredJson<string[]>(attempt.effectiveJson, "discovery_attempts.effective_json").includes(row.id)
      )
        continue;
      const entry = of(attempt.targetId);
      entry.uses.push(attempt.gain);
      if (attempt.score >= threshold) entry.reached += 1;
    }
    const targets = [...gains]
      .sort(([left], [right]) => left.localeCompare(right))
      .map(([targetId, entry]): TargetEffect => {
        const improvedUses = entry.uses.filter((gain) => gain > 0).length;
        const trials = entry.discoveries.length + entry.uses.length;
        return {
          targetId,
          discoveries: entry.discoveries.length,
          uses: entry.uses.length,
          improvedUses,
          reachedThreshold: entry.reached,
          successRate: trials === 0 ? 0 : (entry.discoveries.length + improvedUses) / trials,
          meanGain: mean([...entry.discoveries, ...entry.uses]),
        };
      });
    const all = [...gains.values()];
    const allGains = all.flatMap((entry) => [...entry.discoveries, ...entry.uses]);
    const successes = all.reduce(
      (total, entry) => total + entry.discoveries.length + entry.uses.filter((gain) => gain > 0).length,
      0,
    );
    return {
      runId: row.runId,
      id: row.id,
      seq: row.seq,
      name: parseStoredJson<BilingualText>(row.nameJson, "discovery_strategies.name_json"),
      definition: parseStoredJson<BilingualText>(row.definitionJson, "discovery_strategies.definition_json"),
      example: parseStoredJson<BilingualText>(row.exampleJson, "discovery_strategies.example_json"),
      embedding: blobToVector(row.embedding),
      firstDiscoveredAt: row.firstDiscoveredAt,
      firstAttemptKey: row.firstAttemptKey,
      lineage: parseStoredJson<DiscoveryLineage>(row.lineageJson, "discovery_strategies.lineage_json"),
      targets,
      meanGain: mean(allGains),
      successRate: allGains.length === 0 ? 0 : successes / allGains.length,
    };
  });
}

/**
 * The `top` most effective distinct strategies: ranked by mean score gain, then success rate, then discovery order;
 * a strategy whose text embedding is at least `distinctSimilarity` from one already chosen is skipped.
 */
export function topStrategies(
  reports: readonly DiscoveredStrategyReport[],
  top: number,
  distinctSimilarity: number,
): DiscoveredStrategyReport[] {
  const ranked = [...reports].sort(
    (left, right) => right.meanGain - left.meanGain || right.successRate - left.successRate || left.seq - right.seq,
  );
  const chosen: DiscoveredStrategyReport[] = [];
  for (const report of ranked) {
    if (chosen.length >= top) break;
    const embedding = normalize(report.embedding);
    if (chosen.some((other) => dot(embedding, normalize(other.embedding)) >= distinctSimilarity)) continue;
    chosen.push(report);
  }
  return chosen;
}

/**
 * A discovered strategy in the strategy-library format (`origin: discovered`, version 1): one turn whose plan is the
 * definition, the summarizer's example as that turn's example, and the lineage (run, attempts, summaries, merged
 * candidates, success per target). Validated with the library schema.
 */
export function toLibraryStrategy(report: DiscoveredStrategyReport): Strategy {
  return strategySchema.parse({
    id: report.id,
    version: 1,
    origin: "discovered",
    name: report.name,
    definition: report.definition,
    turns: [report.definition],
    example: { ja: [report.example.ja], en: [report.example.en] },
    lineage: {
      runId: report.runId,
      attemptIds: [...report.lineage.attemptIds],
      summaryKeys: [...report.lineage.summaryKeys],
      mergedIds: [...report.lineage.mergedIds],
      firstDiscoveredAt: report.firstDiscoveredAt,
      meanGain: round(report.meanGain),
      successRate: round(report.successRate),
      targets: report.targets.map((target) => ({
        targetId: target.targetId,
        successRate: round(target.successRate),
        discoveries: target.discoveries,
        uses: target.uses,
      })),
    },
  });
}

/** The YAML text of a strategy library file holding these strategies. */
export function libraryYaml(strategies: readonly Strategy[], header: string): string {
  return `# ${header}\n${stringify({ version: STRATEGY_LIBRARY_VERSION, strategies }, { lineWidth: 0 })}`;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
