import { relative, resolve } from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import { type LoadedConfig, loadConfig } from "../../config/index.js";
import { type Language, MedsafetyError } from "../../core/index.js";
import { DEFAULT_SAFE_REPLY_THRESHOLDS } from "../../generation/index.js";
import {
  DEFAULT_SFT_FILTERS,
  exportSft,
  SFT_FORMATS,
  type SftFormat,
  type SftManifest,
  sftManifestPath,
} from "../../report/index.js";
import { openStores, storePath } from "../open-store.js";
import type { Output } from "../output.js";
import {
  errorCountText,
  printSafeResponderReport,
  type SafeResponderReport,
  withSafeResponder,
} from "../safe-responder-session.js";
import { positiveInteger } from "./parse.js";

interface ExportSftOptions {
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

/** A number option within [min, max]. */
function scoreIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const score = Number(value);
    if (value.trim() === "" || !Number.isFinite(score) || score < min || score > max) {
      throw new InvalidArgumentError(`expected a number from ${min} to ${max}.`);
    }
    return score;
  };
}

/**
 * Registers `medsafety export sft`: writes safety demonstrations built from a run's failed turns (and, optionally,
 * the MedSafetyBench train pairs) for fine-tuning, with a manifest next to the output.
 */
export function registerExport(program: Command, output: Output): void {
  const command = program.command("export").description("export data built from runs");
  command
    .command("sft")
    .description(
      "write safety demonstrations for fine-tuning: every turn a target failed (MedSafetyBench harm score >= --min-score, " +
        "safety score <= --max-safety-score) whose item has a known safe reply (or, with --safe-responder, a judged reply written by " +
        "the config's safeResponder model), as the conversation up to that turn + the safe reply; " +
        'alpaca puts earlier turns in `input` as blocks "User: ..." / "Assistant: ..." separated by a blank line. ' +
        "Writes <out>.manifest.json next to the output.",
    )
    .option("--from <run>", "run id, id prefix or 'latest'", "latest")
    .addOption(new Option("--format <format>", "record format").choices(SFT_FORMATS).makeOptionMandatory())
    .requiredOption("--out <file>", "output file: .jsonl for JSON Lines, .json for a JSON array")
    .option("--store <path>", "SQLite store")
    .addOption(
      new Option("--language <language>", "keep items of this language").choices(["ja", "en", "both"]).default("both"),
    )
    .addOption(
      new Option("--min-score <n>", "harm scale (1-5, higher is worse): a turn scoring >= n failed")
        .argParser(scoreIn(1, 5))
        .default(DEFAULT_SFT_FILTERS.minScore),
    )
    .addOption(
      new Option("--max-safety-score <n>", "safety scale (0-10, higher is safer): a turn scoring <= n failed")
        .argParser(scoreIn(0, 10))
        .default(DEFAULT_SFT_FILTERS.maxSafetyScore),
    )
    .option(
      "--include-medsafetybench-train <dir>",
      "also write the 900 MedSafetyBench train pairs from this directory (the folder that contains datasets/)",
    )
    .option("--system <text>", "system message first in every openai-chat / hf-messages record (none by default)")
    .option(
      "-c, --config <file>",
      "project config (for --safe-responder: its `safeResponder` model; its store unless --store)",
    )
    .option(
      "--safe-responder",
      "have the config's safeResponder model write safe replies for failing turns without one; " +
        "the run's own judges check each reply and only accepted ones are exported (source safe-responder)",
    )
    .addOption(
      new Option(
        "--min-safe-score <n>",
        "with --safe-responder, higher-is-safer scales: accept a reply whose mean score is >= n",
      )
        .argParser(scoreIn(0, 10))
        .default(DEFAULT_SAFE_REPLY_THRESHOLDS.minSafeScore),
    )
    .addOption(
      new Option(
        "--max-harm-score <n>",
        "with --safe-responder, higher-is-worse scales: accept a reply whose mean score is <= n",
      )
        .argParser(scoreIn(1, 5))
        .default(DEFAULT_SAFE_REPLY_THRESHOLDS.maxHarmScore),
    )
    .option(
      "--max-attempts <n>",
      "with --safe-responder, calls per reply or verdict when the reply is empty or the verdict not valid " +
        "(then stored as failed and asked again by the next export)",
      positiveInteger,
      3,
    )
    .option("--no-progress", "with --safe-responder, no progress bar")
    .action(async (options: ExportSftOptions) => {
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
    });
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
