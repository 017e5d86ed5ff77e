import { relative, resolve } from "node:path";
import { type LoadedConfig, loadConfig } from "../../config/index.js";
import type { Language } from "../../core/index.js";
import { MedsafetyError } from "../../core/index.js";
import type { SftFormat } from "../../training-data/index.js";
import { exportSft, type SftManifest, sftManifestPath } from "../../training-data/index.js";
import { openStores, storePath } from "../open-store.js";
import type { Output } from "../output.js";
import {
  errorCountText,
  printSafeResponderReport,
  type SafeResponderReport,
  withSafeResponder,
} from "../safe-responder-session.js";

export interface ExportSftOptions {
  from: string;
  format: SftFormat;
  out: string;
  store?: string;
  language: Language | "both";
  minScore: number;
  maxSafetyScore: number;
  includeMedsafetybenchTrain?: string;
  system?: string;
  config?: string;
  safeResponder?: boolean;
  minSafeScore: number;
  maxHarmScore: number;
  maxAttempts: number;
  progress: boolean;
}

/** `medsafety export sft`: safety demonstrations from a run's failed turns (optionally with safe-responder replies). */
export async function exportSftCommand(options: ExportSftOptions, output: Output): Promise<void> {
  const loaded: LoadedConfig | undefined =
    options.config !== undefined || options.safeResponder === true
      ? loadConfig(options.config ?? "medsafety.config.yaml")
      : undefined;
  const path = storePath(options.store, loaded?.config.store);
  const stores = openStores(path, { mustExist: true });
  try {
    const run = stores.runs.resolve(options.from);
    const exportOptions = {
      format: options.format,
      outPath: resolve(options.out),
      storePath: path,
      language: options.language,
      minScore: options.minScore,
      maxSafetyScore: options.maxSafetyScore,
      ...(options.includeMedsafetybenchTrain === undefined
        ? {}
        : { medsafetybenchTrainDir: resolve(options.includeMedsafetybenchTrain) }),
      ...(options.system === undefined ? {} : { system: options.system }),
    };
    if (options.safeResponder !== true || loaded === undefined) {
      output.out(sftSummary(await exportSft(stores.db, run, exportOptions)));
      return;
    }
    const { result: manifest, report } = await withSafeResponder(
      {
        loaded,
        run,
        stores,
        thresholds: { minSafeScore: options.minSafeScore, maxHarmScore: options.maxHarmScore },
        maxAttempts: options.maxAttempts,
        progress: options.progress,
        params: {
          out: exportOptions.outPath,
          format: options.format,
          language: options.language,
          minScore: options.minScore,
          maxSafetyScore: options.maxSafetyScore,
        },
      },
      output,
      (safeResponder) => exportSft(stores.db, run, { ...exportOptions, safeResponder }),
    );
    output.out(sftSummary(manifest));
    printSafeResponderReport(output, report);
    failWithoutReplies(manifest, report, loaded.path);
  } finally {
    stores.close();
  }
}

/** A safe responder that wrote no reply because every call failed is a broken binding, not an empty result (exit 3). */
function failWithoutReplies(manifest: SftManifest, report: SafeResponderReport, configPath: string): void {
  const responder = manifest.safeResponder;
  if (responder === null || responder.replies > 0 || responder.errors === 0) return;
  throw new MedsafetyError(
    "model_unavailable",
    `the safe responder wrote no reply: ${responder.errors} calls failed (${report.errors.map(errorCountText).join(", ")}; ` +
      `first: ${report.failures[0]?.message ?? "unknown"}). Check the safeResponder's baseURL, model name and API key in ${configPath}, then run the same command again.`,
  );
}

/** One paragraph: what was written, from where, and what was left out and why. */
export function sftSummary(manifest: SftManifest): string {
  const { counts, filters, output } = manifest;
  const shown = (path: string): string => {
    const relativePath = relative(process.cwd(), path);
    return relativePath.startsWith("..") || relativePath === "" ? path : relativePath;
  };
  const plural = (count: number, what = "turn"): string => `${count} ${what}${count === 1 ? "" : "s"}`;
  const excluded =
    counts.excludedByLanguage === 0
      ? ""
      : `; ${counts.excludedByLanguage} run turns or train pairs excluded by --language ${filters.language}`;
  const incomplete =
    counts.skippedIncompleteHistory === 0
      ? ""
      : `; ${plural(counts.skippedIncompleteHistory, "failing turn")} with an incomplete stored history skipped`;
  const responder = manifest.safeResponder;
  const written = responder === null ? "" : `, ${counts.bySource["safe-responder"]} written by the safe responder`;
  const safe =
    responder === null
      ? ""
      : `; safe responder ${responder.model} (prompt ${responder.promptId} ${responder.promptVersion}): ` +
        `${responder.replies} replies written, ${responder.accepted} accepted, ${responder.rejected} rejected, ${responder.unscored} unscored, ` +
        `${responder.failed} failed (empty reply), ${plural(responder.errors, "error")}`;
  const train =
    filters.includeMedsafetybenchTrain === null
      ? ""
      : `, ${counts.bySource["medsafetybench-train"]} MedSafetyBench train pairs`;
  return (
    `exported ${counts.written} safety demonstrations (${output.format}, ${output.layout === "jsonl" ? "JSON Lines" : "JSON array"}) ` +
    `from run ${manifest.source.runId} to ${shown(output.path)}: ${counts.bySource["medsafetybench-run"]} from MedSafetyBench turns judged harmful ` +
    `(score >= ${filters.minScore}), ${counts.bySource["multi-turn-run"]} from turns judged unsafe (safety score <= ${filters.maxSafetyScore})${written}${train}; ` +
    `en ${counts.byLanguage.en}, ja ${counts.byLanguage.ja}; ${counts.duplicatesDropped} duplicates dropped; ` +
    `${plural(counts.needsSafeResponder, "failing turn")} without a known safe reply (needsSafeResponder, not exported)${safe}${incomplete}; ` +
    `${plural(counts.skippedNoScore)} without a score skipped${excluded}. ` +
    `Manifest: ${shown(sftManifestPath(output.path))}. Fine-tune on it, then re-run the benchmark against the fine-tuned model.`
  );
}
