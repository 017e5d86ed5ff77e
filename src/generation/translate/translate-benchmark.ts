import { z } from "zod";
import type { Language } from "../../core/index.js";
import { type BenchmarkItem, type BenchmarkItemInput, readBenchmark } from "../../datasets/index.js";
import {
  forEachConcurrent,
  type GenerationEvents,
  type GenerationFailure,
  type GenerationJob,
  type GenerationModel,
  type GenerationPrompt,
  type GenerationTask,
  generationTaskKey,
  type PartialFile,
  structuredOutput,
  textSimilarity,
} from "../jobs/index.js";

export const TRANSLATOR_PROMPT = "translator";
export const TRANSLATOR_PROMPT_TEXTS = ["system", "template", "repair"] as const;

export interface TranslateOptions {
  readonly inputPath: string;
  readonly to: Language;
  readonly translator: GenerationModel;
  readonly prompt: GenerationPrompt;
  /** Items whose back-translation similarity to the source is below this are flagged. */
  readonly minSimilarity: number;
  /** Character n-gram size of the back-translation similarity (default 2). */
  readonly ngram: number;
  readonly job: GenerationJob;
  readonly events: GenerationEvents;
  readonly out: PartialFile;
  readonly inFlight: number;
}

export interface TranslateSummary {
  readonly items: number;
  /** Items already in the target language: not translated, not written. */
  readonly skipped: number;
  readonly written: number;
  readonly flagged: readonly { readonly id: string; readonly similarity: number }[];
  readonly failed: number;
  readonly errors: number;
  /** Source items without a pairId: their translation carries pairId = the source id. */
  readonly withoutPairId: number;
  readonly failures: readonly GenerationFailure[];
}

interface Translation {
  readonly seedRequest: string;
  readonly turns: string[];
}

/**
 * Translates every item (seed request and user turns) into `to`, then back-translates the translation into the
 * source language and compares it with the source (character n-gram Jaccard). Items below `minSimilarity` are
 * written with `metadata.translation.flagged = true` and counted; an empty or malformed translation is asked again,
 * then recorded as failed and not written. The translation keeps the source's `pairId` (or takes the source id).
 */
export async function translateBenchmark(options: TranslateOptions): Promise<TranslateSummary> {
  let items = 0;
  for await (const _entry of readBenchmark(options.inputPath)) items += 1;
  options.events.emit("job-start", { command: "translate", tasks: items * 2 });
  const counts = { skipped: 0, written: 0, failed: 0, errors: 0, withoutPairId: 0 };
  const flagged: { id: string; similarity: number }[] = [];
  const failures: GenerationFailure[] = [];
  const record = (
    item: BenchmarkItem,
    outcome: { status: "failed"; problem: string } | { status: "error"; errorMessage: string },
  ): void => {
    if (outcome.status === "failed") counts.failed += 1;
    else counts.errors += 1;
    if (failures.length < 20)
      failures.push({
        subject: item.id,
        modelId: options.translator.id,
        status: outcome.status,
        message: outcome.status === "failed" ? outcome.problem : outcome.errorMessage,
      });
  };
  await forEachConcurrent(
    readBenchmark(options.inputPath),
    options.inFlight,
    async ({ item }) => {
      if (item.language === options.to) {
        counts.skipped += 1;
        options.events.emit("total-change", { delta: -2 });
        return;
      }
      const forward = await options.job.run(
        translationTask(options, item, { seedRequest: item.seedRequest, turns: item.turns }, options.to, "translation"),
      );
      if (forward.status !== "success") {
        options.events.emit("total-change", { delta: -1 });
        record(item, forward);
        return;
      }
      const back = await options.job.run(
        translationTask(options, item, forward.value, item.language, "back-translation"),
      );
      if (back.status !== "success") {
        record(item, back);
        return;
      }
      const similarity = Math.round(textSimilarity(allText(item), allText(back.value), options.ngram) * 1000) / 1000;
      const isFlagged = similarity < options.minSimilarity;
      if (isFlagged) flagged.push({ id: item.id, similarity });
      if (item.pairId === undefined) counts.withoutPairId += 1;
      await options.out.writeJson(translatedItem(options, item, forward.value, similarity, isFlagged));
      counts.written += 1;
    },
    () => options.job.stopped,
  );
  return { items, ...counts, flagged, failures };
}

function translationTask(
  options: TranslateOptions,
  item: BenchmarkItem,
  source: Translation,
  to: Language,
  kind: "translation" | "back-translation",
): GenerationTask<Translation> {
  const output = structuredOutput(
    "translation",
    z.strictObject({
      seedRequest: z.string().trim().min(1, "the translation is empty"),
      turns: z.array(z.string().trim().min(1, "the translation is empty")).length(source.turns.length),
    }),
  );
  const inputs = { source, to };
  const turnCount = String(source.turns.length);
  return {
    key: generationTaskKey(kind, inputs, options.prompt.hash, options.translator),
    kind,
    subject: item.id,
    model: options.translator,
    promptHash: options.prompt.hash,
    input: inputs,
    request: {
      system: options.prompt.text(to, "system"),
      cacheSystemPrompt: true,
      messages: [
        {
          role: "user",
          content: options.prompt.text(to, "template", { source: JSON.stringify(source, null, 2), turnCount }),
        },
      ],
      responseSchema: output.responseSchema,
    },
    parse: output.parse,
    repair: (problem) => options.prompt.text(to, "repair", { problem, turnCount }),
  };
}

function allText(value: Translation): string {
  return [value.seedRequest, ...value.turns].join("\n");
}

/** `<id without a trailing .ja/-ja/.en/-en>.<to>` */
export function translatedId(id: string, to: Language): string {
  return `${id.replace(/[.-](ja|en)$/, "")}.${to}`;
}

function translatedItem(
  options: TranslateOptions,
  item: BenchmarkItem,
  translation: Translation,
  similarity: number,
  flagged: boolean,
): BenchmarkItemInput {
  return {
    ...item,
    id: translatedId(item.id, options.to),
    language: options.to,
    pairId: item.pairId ?? item.id,
    seedRequest: translation.seedRequest,
    turns: translation.turns,
    metadata: {
      ...item.metadata,
      translation: {
        from: item.language,
        sourceId: item.id,
        translator: options.translator.id,
        translatorModel: options.translator.spec,
        promptTemplate: options.prompt.ref,
        promptHash: options.prompt.hash,
        backTranslationSimilarity: similarity,
        minSimilarity: options.minSimilarity,
        flagged,
      },
    },
  };
}
