import { relative, resolve } from "node:path";
import { loadConfig } from "../../config/index.js";
import {
  exportResults,
  type ResultExportFormat,
  type ResultsExportManifest,
  resultsManifestPath,
} from "../../library/index.js";
import { openStores, requireIntactRun, storePath } from "../open-store.js";
import type { Output } from "../output.js";

export interface ExportResultsOptions {
  run: string;
  format: ResultExportFormat;
  out: string;
  store?: string;
  config?: string;
  rowGroupSize: number;
}

/** `medsafety export results`: a run's raw rows to a file; prints only counts and paths (never a prompt or reply). */
export async function exportResultsCommand(options: ExportResultsOptions, output: Output): Promise<void> {
  const configStore = options.config === undefined ? undefined : loadConfig(options.config).config.store;
  const path = storePath(options.store, configStore);
  const stores = openStores(path, { mustExist: true });
  try {
    const run = stores.runs.resolve(options.run);
    requireIntactRun(stores, run.id);
    const manifest = await exportResults(stores.db, run, {
      format: options.format,
      outPath: resolve(options.out),
      storePath: path,
      rowGroupSize: options.rowGroupSize,
    });
    output.out(resultsSummary(manifest));
  } finally {
    stores.close();
  }
}

/** One paragraph of counts: rows, turns by state, verdicts by status, where the file and its manifest are. */
export function resultsSummary(manifest: ResultsExportManifest): string {
  const shown = (path: string): string => {
    const relativePath = relative(process.cwd(), path);
    return relativePath.startsWith("..") || relativePath === "" ? path : relativePath;
  };
  const { counts } = manifest;
  const plural = (count: number, what: string): string => `${count} ${what}${count === 1 ? "" : "s"}`;
  return (
    `exported ${plural(counts.rows, "row")} (${manifest.output.format}; one per item x target x epoch x turn) of run ${manifest.source.runId} ` +
    `to ${shown(manifest.output.path)}: ${plural(counts.targets, "target")}; turns ${counts.turns.scored} scored, ` +
    `${counts.turns.unscored} unscored, ${counts.turns.error} failed; verdicts ${counts.verdicts.scored} scored, ` +
    `${counts.verdicts.unscored} unscored, ${counts.verdicts.error} failed; judges ${manifest.judges.map((judge) => judge.id).join(", ") || "none"}. ` +
    `The file holds the benchmark's harmful requests and the replies as data. Manifest: ${shown(resultsManifestPath(manifest.output.path))}.`
  );
}
