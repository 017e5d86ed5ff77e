import { z } from "zod";
import { hashValue, type Language } from "../../core/index.js";
import { type Guideline, type GuidelineCatalog, localizeGuideline } from "../../guidelines/index.js";
import {
  forEachConcurrent,
  type GenerationEvents,
  type GenerationFailure,
  type GenerationJob,
  type GenerationModel,
  type GenerationPrompt,
  type GenerationTask,
  generationTaskKey,
  NearDuplicateIndex,
  type PartialFile,
  structuredOutput,
} from "../jobs/index.js";
import type { Seed } from "./seed.js";

export const SEED_PROMPT = "seed-generator";
export const SEED_PROMPT_TEXTS = ["system", "template", "repair"] as const;

export interface GenerateSeedsOptions {
  readonly catalog: GuidelineCatalog;
  /** Guidelines to write for (default: all of the catalog's, in order). */
  readonly guidelines?: readonly Guideline[];
  readonly perGuideline: number;
  /** Requests asked for in one call (default 10). */
  readonly batchSize: number;
  readonly language: Language;
  readonly generator: GenerationModel;
  readonly prompt: GenerationPrompt;
  /** Near-duplicate threshold: a seed whose character n-gram Jaccard similarity to a kept one is ≥ this is removed. */
  readonly similarity: number;
  readonly ngram: number;
  readonly job: GenerationJob;
  readonly events: GenerationEvents;
  readonly out: PartialFile;
}

/** A seed removed as a near duplicate of a kept one. */
export interface RemovedSeed {
  readonly id: string;
  readonly keptId: string;
  readonly similarity: number;
}

export interface SeedSummary {
  readonly guidelines: number;
  readonly planned: number;
  readonly generatedRequests: number;
  readonly written: number;
  readonly removed: readonly RemovedSeed[];
  readonly failedBatches: number;
  readonly errorBatches: number;
  readonly missingRequests: number;
  readonly failures: readonly GenerationFailure[];
}

/**
 * Has the generator write `perGuideline` seed requests for every guideline (in batches, as structured output), then
 * removes near duplicates (normalised text + character n-gram Jaccard ≥ `similarity`, within the language, in
 * catalog order so the first is kept) and writes the seeds in catalog order. A batch that fails validation or errors
 * is recorded and counted; its requests are missing, never invented.
 */
export async function generateSeeds(options: GenerateSeedsOptions): Promise<SeedSummary> {
  const guidelines = options.guidelines ?? options.catalog.guidelines;
  const batches = guidelines.flatMap((guideline) => batchesOf(guideline, options.perGuideline, options.batchSize));
  options.events.emit("job-start", { command: "generate seeds", tasks: batches.length });
  const results = new Map<string, string[]>();
  const failures: GenerationFailure[] = [];
  let failedBatches = 0;
  let errorBatches = 0;
  let missingRequests = 0;
  await forEachConcurrent(
    batches,
    Math.max(1, batches.length),
    async (batch) => {
      const output = structuredOutput(
        "seed_requests",
        z.strictObject({ requests: z.array(z.string().trim().min(1, "a request must not be empty")).min(batch.count) }),
      );
      const task = seedTask(options, batch, output);
      const outcome = await options.job.run(task);
      if (outcome.status === "success") {
        results.set(`${batch.guideline.id}#${batch.index}`, outcome.value.requests.slice(0, batch.count));
        return;
      }
      missingRequests += batch.count;
      if (outcome.status === "failed") failedBatches += 1;
      else errorBatches += 1;
      if (failures.length < 20)
        failures.push({
          subject: task.subject,
          modelId: options.generator.id,
          status: outcome.status,
          message: outcome.status === "failed" ? outcome.problem : outcome.errorMessage,
        });
    },
    () => options.job.stopped,
  );
  const { written, removed, generatedRequests } = await writeDeduplicated(options, batches, results);
  return {
    guidelines: guidelines.length,
    planned: guidelines.length * options.perGuideline,
    generatedRequests,
    written,
    removed,
    failedBatches,
    errorBatches,
    missingRequests,
    failures,
  };
}

interface Batch {
  readonly guideline: Guideline;
  readonly index: number;
  /** Requests asked for in this batch. */
  readonly count: number;
  /** Position of the batch's first request within the guideline. */
  readonly offset: number;
}

function batchesOf(guideline: Guideline, perGuideline: number, batchSize: number): Batch[] {
  const batches: Batch[] = [];
  for (let offset = 0, index = 0; offset < perGuideline; offset += batchSize, index += 1) {
    batches.push({ guideline, index, count: Math.min(batchSize, perGuideline - offset), offset });
  }
  return batches;
}

function seedTask(
  options: GenerateSeedsOptions,
  batch: Batch,
  output: ReturnType<typeof structuredOutput<z.ZodType<{ requests: string[] }>>>,
): GenerationTask<{ requests: string[] }> {
  const { catalog, language, prompt } = options;
  const localized = localizeGuideline(catalog, batch.guideline, language);
  const inputs = {
    catalog: `${catalog.id}@${catalog.version}`,
    guideline: hashValue(batch.guideline),
    guidelineId: batch.guideline.id,
    language,
    batch: batch.index,
    count: batch.count,
  };
  return {
    key: generationTaskKey("seed-batch", inputs, prompt.hash, options.generator),
    kind: "seed-batch",
    subject: `${batch.guideline.id}#${batch.index}`,
    model: options.generator,
    promptHash: prompt.hash,
    input: inputs,
    request: {
      system: prompt.text(language, "system"),
      cacheSystemPrompt: true,
      messages: [
        {
          role: "user",
          content: prompt.text(language, "template", {
            guidelineId: localized.id,
            sectionTitle: localized.sectionTitle,
            guidelineTitle: localized.title,
            guidelineSummary: localized.summary,
            violations: localized.violations.map((violation) => `- ${violation}`).join("\n"),
            count: String(batch.count),
            batch: String(batch.index + 1),
          }),
        },
      ],
      responseSchema: output.responseSchema,
    },
    parse: output.parse,
    repair: (problem) => prompt.text(language, "repair", { problem, count: String(batch.count) }),
  };
}

async function writeDeduplicated(
  options: GenerateSeedsOptions,
  batches: readonly Batch[],
  results: ReadonlyMap<string, string[]>,
): Promise<{ written: number; removed: RemovedSeed[]; generatedRequests: number }> {
  const index = new NearDuplicateIndex(options.similarity, options.ngram);
  const removed: RemovedSeed[] = [];
  let written = 0;
  let generatedRequests = 0;
  for (const batch of batches) {
    const requests = results.get(`${batch.guideline.id}#${batch.index}`) ?? [];
    for (const [position, request] of requests.entries()) {
      generatedRequests += 1;
      const id = `${batch.guideline.id}.${options.language}.s${String(batch.offset + position + 1).padStart(3, "0")}`;
      const match = index.add(id, request, options.language);
      if (match !== undefined) {
        removed.push({ id, keptId: match.keptId, similarity: Math.round(match.similarity * 1000) / 1000 });
        continue;
      }
      const seed: Seed = {
        id,
        language: options.language,
        guidelineId: batch.guideline.id,
        guidelineSection: batch.guideline.section,
        request,
        metadata: {
          catalog: `${options.catalog.id}@${options.catalog.version}`,
          generator: options.generator.id,
          generatorModel: options.generator.spec,
          promptTemplate: options.prompt.ref,
          promptHash: options.prompt.hash,
        },
      };
      await options.out.writeJson(seed);
      written += 1;
    }
  }
  return { written, removed, generatedRequests };
}
