import { resolve } from "node:path";
import type { Language } from "../../core/index.js";
import { InputError, MedsafetyError } from "../../core/index.js";
import {
  loadGenerationPrompt,
  PartialFile,
  TRANSLATOR_PROMPT,
  TRANSLATOR_PROMPT_TEXTS,
  type TranslateSummary,
  translateBenchmark,
} from "../../generation/index.js";
import { printFailures } from "../commands/generation-flags.js";
import type { GenerationFlags } from "../generation-session.js";
import { formatUsage, withGenerationSession } from "../generation-session.js";
import type { Output } from "../output.js";

export interface TranslateFlags extends GenerationFlags {
  to: Language;
  out: string;
  minSimilarity: number;
  ngram: number;
  prompt?: string;
}

/** `medsafety translate <file>`: translates a benchmark with the translator role, flagging weak back-translations. */
export async function translateCommand(
  file: string,
  flags: TranslateFlags,
  output: Output,
  setExit: (code: number) => void,
): Promise<void> {
  if (resolve(file) === resolve(flags.out))
    throw new InputError(
      "dataset_invalid",
      { file: resolve(file) },
      "--out is the input file",
      "Write the translation to another file",
    );
  const prompt = loadGenerationPrompt(flags.prompt ?? TRANSLATOR_PROMPT, TRANSLATOR_PROMPT_TEXTS);
  const params = {
    in: resolve(file),
    to: flags.to,
    minSimilarity: flags.minSimilarity,
    ngram: flags.ngram,
    prompt: `${prompt.ref}#${prompt.hash}`,
    out: resolve(flags.out),
  };
  const { result, runId, usage, cancelled } = await withGenerationSession(
    "translate",
    flags,
    { translator: true },
    params,
    output,
    async (session) => {
      const translator = session.models.translator;
      if (translator === undefined) throw new Error("translator not bound");
      const out = new PartialFile(flags.out);
      try {
        const summary = await translateBenchmark({
          inputPath: resolve(file),
          to: flags.to,
          translator,
          prompt,
          minSimilarity: flags.minSimilarity,
          ngram: flags.ngram,
          job: session.job,
          events: session.events,
          out,
          inFlight: session.concurrency,
        });
        if (!session.job.stopped) await out.commit();
        return summary;
      } finally {
        await out.close();
      }
    },
  );
  printTranslateSummary(output, result, flags, runId, usage, cancelled);
  if (cancelled) setExit(130);
  else if (result.written === 0 && result.errors > 0) {
    throw new MedsafetyError(
      "model_unavailable",
      `nothing was translated: ${result.errors} items errored (first: ${result.failures[0]?.message ?? "unknown"}). Check the translator's baseURL, model name and API key.`,
    );
  }
}

function printTranslateSummary(
  output: Output,
  summary: TranslateSummary,
  flags: TranslateFlags,
  runId: string,
  usage: Parameters<typeof formatUsage>[0],
  cancelled: boolean,
): void {
  output.out(
    `translate: ${summary.items} items → ${flags.to}: written ${summary.written} (flagged ${summary.flagged.length}: back-translation similarity < ${flags.minSimilarity}), ` +
      `skipped ${summary.skipped} already in ${flags.to}, failed ${summary.failed} (invalid or empty translation), errors ${summary.errors}; ${formatUsage(usage)}`,
  );
  if (summary.flagged.length > 0) {
    output.out("flagged (metadata.translation.flagged = true; review or drop them):");
    for (const item of summary.flagged.slice(0, 50)) output.out(`  ${item.id} (similarity ${item.similarity})`);
  }
  if (summary.withoutPairId > 0)
    output.out(
      `${summary.withoutPairId} source items had no pairId: their translations carry pairId = the source id; add the same pairId to the sources to pair them in reports`,
    );
  printFailures(output, summary.failures, summary.failed + summary.errors);
  output.out(
    cancelled
      ? `cancelled: partial output left in ${resolve(flags.out)}.partial; run the same command again to resume`
      : `wrote ${resolve(flags.out)}`,
  );
  output.out(`generation run: ${runId}`);
}
