import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createWriteStream, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { MedsafetyError, packageVersion } from "../core/index.js";
import type { Db, RunRecord } from "../store/index.js";
import {
  emptySftCounts,
  runCandidates,
  SFT_HARM_RUBRIC,
  SFT_SAFETY_RUBRIC,
  type SftCounts,
  type SftFilters,
  trainDemonstrations,
} from "./run-demonstrations.js";
import {
  emptySafeResponderCounts,
  type SafeResponder,
  type SafeResponderCounts,
  type SafeResponderTasks,
  safeResponderDemonstration,
} from "./safe-responder.js";
import {
  type Demonstration,
  formatDemonstration,
  layoutFor,
  layoutWriter,
  type SftFormat,
  type SftLayout,
} from "./sft-formats.js";

/** What to export and where. */
export interface SftExportOptions extends SftFilters {
  readonly format: SftFormat;
  /** The output file (`.jsonl` → JSON Lines, `.json` → JSON array; see `layoutFor`). */
  readonly outPath: string;
  /** The store the run was read from (recorded in the manifest). */
  readonly storePath: string;
  /** A MedSafetyBench directory whose 900 train pairs are added after the run's demonstrations. */
  readonly medsafetybenchTrainDir?: string;
  /** A system message first in every openai-chat / hf-messages record (none by default; not allowed for alpaca). */
  readonly system?: string;
  /** Writes safe replies for failing turns without a known one; each is checked by the run's judges (`--safe-responder`). */
  readonly safeResponder?: SafeResponder;
  readonly now?: () => Date;
}

/**
 * The manifest's record of the safe responder: which model and prompt, the thresholds, what happened to the failing
 * turns, and the stored tasks (generation run, per kind generated / reused / failed / errors, errors by model and code).
 */
export interface SftSafeResponderManifest extends SafeResponderCounts, SafeResponderTasks {
  readonly model: string;
  readonly promptId: string;
  readonly promptVersion: string;
  readonly judges: readonly string[];
  readonly minSafeScore: number;
  readonly maxHarmScore: number;
}

/** The manifest written next to the output (`<out>.manifest.json`): where the data came from, how it was filtered, counts. */
export interface SftManifest {
  readonly kind: "medsafety-sft-export";
  readonly createdAt: string;
  readonly medsafetyVersion: string;
  readonly source: {
    readonly runId: string;
    readonly runStatus: string;
    readonly storePath: string;
    readonly datasetSource: string;
    readonly datasetHash: string;
    readonly configHash: string;
    readonly runMedsafetyVersion: string;
  };
  readonly output: {
    readonly path: string;
    readonly format: SftFormat;
    readonly layout: SftLayout;
    readonly system: string | null;
  };
  readonly filters: SftFilters & {
    readonly harmRubric: string;
    readonly safetyRubric: string;
    readonly includeMedsafetybenchTrain: string | null;
  };
  readonly counts: SftCounts;
  /** Null when the export ran without `--safe-responder`. */
  readonly safeResponder: SftSafeResponderManifest | null;
}

/** The manifest path of an output file. */
export function sftManifestPath(outPath: string): string {
  return `${outPath}.manifest.json`;
}

/**
 * Writes a run's demonstrations (then the train pairs, if asked) to `outPath` in a format, each validated, each
 * id once, streaming through a temporary file renamed at the end (a failure leaves no half file); then writes
 * the manifest. The records depend only on the store's content and the options, so exports are byte-identical.
 */
export async function exportSft(db: Db, run: RunRecord, options: SftExportOptions): Promise<SftManifest> {
  if (options.system !== undefined && options.format === "alpaca") {
    throw new MedsafetyError(
      "config_invalid",
      "--system applies to openai-chat and hf-messages records; the alpaca format has no system message. Drop --system or choose another --format.",
    );
  }
  const counts = emptySftCounts();
  const responderCounts = emptySafeResponderCounts();
  const layout = layoutFor(options.format, options.outPath);
  const writer = layoutWriter(layout);
  const seen = new Set<string>();
  mkdirSync(dirname(options.outPath), { recursive: true });
  const partial = `${options.outPath}.partial-${randomUUID()}`;
  const stream = createWriteStream(partial, { encoding: "utf8" });
  let failure: Error | undefined;
  stream.on("error", (error) => (failure ??= error));
  const write = async (text: string): Promise<void> => {
    if (failure !== undefined) throw failure;
    if (text !== "" && !stream.write(text)) await once(stream, "drain");
  };
  try {
    await write(writer.open());
    for await (const demonstration of allDemonstrations(db, run, options, counts, responderCounts)) {
      if (seen.has(demonstration.id)) {
        counts.duplicatesDropped += 1;
        continue;
      }
      seen.add(demonstration.id);
      const record = formatDemonstration(
        demonstration,
        options.format,
        options.system === undefined ? {} : { system: options.system },
      );
      await write(writer.record(record, counts.written));
      counts.written += 1;
      counts.bySource[demonstration.source] += 1;
      counts.byLanguage[demonstration.language] += 1;
    }
    await write(writer.close(counts.written));
    stream.end();
    await once(stream, "finish");
    renameSync(partial, options.outPath);
  } catch (error) {
    stream.destroy();
    rmSync(partial, { force: true });
    throw error;
  }
  const manifest = manifestOf(run, options, layout, counts, responderCounts);
  writeFileSync(sftManifestPath(options.outPath), `${JSON.stringify(manifest, null, 2)}\n`, "utf8");
  return manifest;
}

async function* allDemonstrations(
  db: Db,
  run: RunRecord,
  options: SftExportOptions,
  counts: SftCounts,
  responderCounts: SafeResponderCounts,
): AsyncGenerator<Demonstration> {
  const responder = options.safeResponder;
  for (const candidate of runCandidates(db, run, options, counts)) {
    if (candidate.kind === "demonstration") {
      yield candidate.demonstration;
      continue;
    }
    // Without a rebuilt history there is no conversation to answer: the turn still needs a safe reply.
    const { missing } = candidate;
    const written =
      responder === undefined || missing.conversation === undefined
        ? undefined
        : await safeResponderDemonstration(
            responder,
            { ...missing, conversation: missing.conversation },
            responderCounts,
          );
    if (written === undefined) counts.needsSafeResponder += 1;
    else yield written;
  }
  if (options.medsafetybenchTrainDir !== undefined)
    yield* trainDemonstrations(options.medsafetybenchTrainDir, options, counts);
}

function manifestOf(
  run: RunRecord,
  options: SftExportOptions,
  layout: SftLayout,
  counts: SftCounts,
  responderCounts: SafeResponderCounts,
): SftManifest {
  const responder = options.safeResponder;
  return {
    kind: "medsafety-sft-export",
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    medsafetyVersion: packageVersion(),
    source: {
      runId: run.id,
      runStatus: run.status,
      storePath: options.storePath,
      datasetSource: run.datasetSource,
      datasetHash: run.datasetHash,
      configHash: run.configHash,
      runMedsafetyVersion: run.packageVersion,
    },
    output: { path: options.outPath, format: options.format, layout, system: options.system ?? null },
    filters: {
      language: options.language,
      minScore: options.minScore,
      maxSafetyScore: options.maxSafetyScore,
      harmRubric: SFT_HARM_RUBRIC,
      safetyRubric: SFT_SAFETY_RUBRIC,
      includeMedsafetybenchTrain: options.medsafetybenchTrainDir ?? null,
    },
    counts,
    safeResponder:
      responder === undefined
        ? null
        : {
            model: responder.modelId,
            promptId: responder.promptId,
            promptVersion: responder.promptVersion,
            judges: [...responder.judgeIds],
            minSafeScore: responder.minSafeScore,
            maxHarmScore: responder.maxHarmScore,
            ...responderCounts,
            ...responder.taskSummary(),
          },
  };
}
