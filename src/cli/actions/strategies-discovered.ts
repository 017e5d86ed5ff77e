import { existsSync, renameSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { loadConfig } from "../../config/index.js";
import { InputError, type Language } from "../../core/index.js";
import {
  type DiscoveredStrategyReport,
  libraryYaml,
  strategyReports,
  toLibraryStrategy,
  topStrategies,
} from "../../generation/index.js";
import { DiscoveryRepository, GenerationRepository } from "../../store/index.js";
import { openStores, type Stores, storePath } from "../open-store.js";
import type { Output } from "../output.js";

/** Where the discovery store is: --store, else the config's store (when the config exists), else MEDSAFETY_STORE / the default. */
export interface StoreFlags {
  store?: string;
  config?: string;
}

/** The options of `strategies export` (its action: actions/strategies-discovered.ts). */
export interface ExportFlags extends StoreFlags {
  top: number;
  run: string;
  out: string;
}

/** `medsafety strategies export`: the most effective distinct strategies of a discovery run as a library file. */
export function strategiesExportCommand(flags: ExportFlags, output: Output): void {
  const stores = openExisting(flags);
  try {
    const { runId, reports, mergeSimilarity } = runReports(stores, flags.run);
    const chosen = topStrategies(reports, flags.top, mergeSimilarity);
    if (chosen.length === 0)
      throw new InputError(
        "dataset_invalid",
        { file: stores.path, field: "--run" },
        `discovery run ${runId} found no strategy`,
        "Run discover with more seeds or iterations, or pick another --run",
      );
    const strategies = chosen.map(toLibraryStrategy);
    const text = flags.out.toLowerCase().endsWith(".json")
      ? `${JSON.stringify({ version: 1, strategies }, null, 2)}\n`
      : libraryYaml(
          strategies,
          `medsafety strategies export: the ${strategies.length} most effective distinct strategies of discovery run ${runId}`,
        );
    writeFileSync(`${flags.out}.partial`, text, "utf8");
    renameSync(`${flags.out}.partial`, flags.out);
    output.out(
      `exported ${strategies.length} of ${reports.length} strategies of discovery run ${runId} (by mean score gain):`,
    );
    for (const report of chosen)
      output.out(
        `  ${report.id}@1  ${report.name.en}  mean gain ${report.meanGain.toFixed(2)}, success ${(report.successRate * 100).toFixed(0)} %`,
      );
    output.out(`wrote ${resolve(flags.out)}`);
  } finally {
    stores.close();
  }
}

/**
 * What `strategies show` adds for a discovered strategy: its success rate per target model, its first discovery and
 * its lineage, from every discovery run of the store that holds it (newest first). Undefined when no store has it.
 */
export function discoveredStrategyText(id: string, flags: StoreFlags, language: Language): string | undefined {
  const path = resolvedStorePath(flags);
  if (!existsSync(path)) return undefined;
  const stores = openStores(path, { mustExist: true });
  try {
    const runs = new DiscoveryRepository(stores.db).runsWithStrategy(id);
    if (runs.length === 0) return undefined;
    return runs
      .map((runId) => {
        const report = runReports(stores, runId).reports.find((entry) => entry.id === id);
        return report === undefined ? "" : reportText(report, language);
      })
      .join("\n\n");
  } finally {
    stores.close();
  }
}

function reportText(report: DiscoveredStrategyReport, language: Language): string {
  const lines = [
    `${report.id}  ${report.name[language]}  (discovery run ${report.runId})`,
    `  ${report.definition[language]}`,
    `  example: ${report.example[language]}`,
    `first discovered: ${report.firstDiscoveredAt} (attempt ${report.firstAttemptKey})`,
    `success rate per target model (discoveries + improving uses / discoveries + uses):`,
    ...report.targets.map(
      (target) =>
        `  ${target.targetId}: ${(target.successRate * 100).toFixed(1)} % (${target.discoveries} discoveries, ${target.improvedUses}/${target.uses} uses improved, ` +
        `${target.reachedThreshold} reached the threshold), mean gain ${target.meanGain.toFixed(2)}`,
    ),
    `lineage: run ${report.lineage.runId}; attempts ${report.lineage.attemptIds.join(", ")}`,
    `  summaries ${report.lineage.summaryKeys.join(", ")}`,
    `  merged near duplicates: ${report.lineage.mergedIds.length === 0 ? "none" : report.lineage.mergedIds.join(", ")}`,
  ];
  return lines.join("\n");
}

function runReports(
  stores: Stores,
  run: string,
): { runId: string; reports: DiscoveredStrategyReport[]; mergeSimilarity: number } {
  const discovery = new DiscoveryRepository(stores.db);
  const runId = run === "latest" ? discovery.latestRun() : run;
  const record = runId === undefined ? undefined : new GenerationRepository(stores.db).getRun(runId);
  if (runId === undefined || record === undefined || record.command !== "discover") {
    throw new InputError(
      "config_invalid",
      { file: stores.path, field: "--run" },
      `no discovery run "${run}" in this store`,
      "Use the id `discover` printed (discovery run: ...), or latest",
    );
  }
  const settings = (record.params as { settings?: { threshold?: number; mergeSimilarity?: number } }).settings ?? {};
  const reports = strategyReports(
    discovery.strategies(runId),
    discovery.libraryKeys(runId),
    discovery.attempts(runId),
    settings.threshold ?? 8.5,
  );
  return { runId, reports, mergeSimilarity: settings.mergeSimilarity ?? 0.9 };
}

function resolvedStorePath(flags: StoreFlags): string {
  if (flags.store !== undefined) return storePath(flags.store);
  const config =
    flags.config !== undefined && existsSync(flags.config) ? loadConfig(flags.config).config.store : undefined;
  return storePath(undefined, config);
}

function openExisting(flags: StoreFlags): Stores {
  const path = resolvedStorePath(flags);
  return openStores(path, { mustExist: true });
}
