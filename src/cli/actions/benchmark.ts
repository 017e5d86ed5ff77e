import { existsSync } from "node:fs";
import { resolve } from "node:path";
import Table from "cli-table3";
import { loadConfig } from "../../config/index.js";
import { resolveBenchmarkPath } from "../../datasets/index.js";
import { type BenchmarkStats, benchmarkStats } from "../../generation/index.js";
import { GenerationRepository, type GenerationTaskCount, openStore } from "../../store/index.js";
import type { Output } from "../output.js";
import { PLAIN } from "../table-style.js";

export interface StatsFlags {
  format: "table" | "json";
  store?: string;
  config?: string;
  similarity: number;
  near: boolean;
}

/** `medsafety benchmark stats <benchmark>`: counts, duplicates and (with a store) failed generations. */
export async function benchmarkStatsCommand(file: string, flags: StatsFlags, output: Output): Promise<void> {
  // The same names a config's `benchmark` accepts: builtin:sample, builtin:benign or a path (a missing one named once).
  const stats = await benchmarkStats(resolveBenchmarkPath(file), {
    nearThreshold: flags.near ? flags.similarity : null,
  });
  const generation = failedGenerations(flags);
  if (flags.format === "json") {
    output.out(JSON.stringify({ ...stats, generations: generation ?? null }, null, 2));
    return;
  }
  printStats(output, stats, generation);
}

interface GenerationCounts {
  readonly store: string;
  readonly tasks: readonly GenerationTaskCount[];
  readonly failed: number;
  readonly errors: number;
}

function failedGenerations(flags: StatsFlags): GenerationCounts | undefined {
  const path = flags.store ?? (flags.config === undefined ? undefined : loadConfig(flags.config).config.store);
  if (path === undefined) return undefined;
  const store = resolve(path);
  if (!existsSync(store)) return { store, tasks: [], failed: 0, errors: 0 };
  const { db } = openStore(store, undefined, { mustExist: true });
  try {
    const tasks = new GenerationRepository(db).counts();
    const sum = (status: string): number =>
      tasks.filter((task) => task.status === status).reduce((total, task) => total + task.count, 0);
    return { store, tasks, failed: sum("failed"), errors: sum("error") };
  } finally {
    db.close();
  }
}

function printStats(output: Output, stats: BenchmarkStats, generation: GenerationCounts | undefined): void {
  output.out(
    `${stats.file}: ${stats.items} items, ${stats.turns} user turns; exact duplicates ${stats.exactDuplicates}, ` +
      `near duplicates ${stats.nearThreshold === null ? "not checked" : `${stats.nearDuplicates} (similarity ≥ ${stats.nearThreshold})`}; flagged translations ${stats.flaggedTranslations}`,
  );
  for (const [dimension, counts] of Object.entries(stats.by)) {
    const table = new Table({ style: PLAIN, head: [dimension, "items", "share"] });
    for (const [key, count] of Object.entries(counts))
      table.push([key, count, `${((count / Math.max(1, stats.items)) * 100).toFixed(1)}%`]);
    output.out(table.toString());
  }
  if (stats.duplicateExamples.length > 0) {
    output.out("duplicates (item ≈ earlier item, similarity):");
    for (const pair of stats.duplicateExamples) output.out(`  ${pair.id} ≈ ${pair.duplicateOf} (${pair.similarity})`);
  }
  if (generation === undefined) return;
  output.out(
    `generations in ${generation.store}: failed ${generation.failed} (invalid output), errors ${generation.errors}`,
  );
  const table = new Table({ style: PLAIN, head: ["task", "model", "status", "count"] });
  for (const task of generation.tasks) table.push([task.kind, task.modelId, task.status, task.count]);
  if (generation.tasks.length > 0) output.out(table.toString());
}
