import { resolve } from "node:path";
import type { Language } from "../../core/index.js";
import { InputError, MedsafetyError } from "../../core/index.js";
import {
  generateSeeds,
  loadGenerationPrompt,
  PartialFile,
  SEED_PROMPT,
  SEED_PROMPT_TEXTS,
  type SeedSummary,
} from "../../generation/index.js";
import { loadCatalog } from "../../guidelines/index.js";
import { printFailures } from "../commands/generation-flags.js";
import type { GenerationFlags } from "../generation-session.js";
import { formatUsage, withGenerationSession } from "../generation-session.js";
import type { Output } from "../output.js";

export interface SeedFlags extends GenerationFlags {
  catalog: string;
  perGuideline: number;
  batchSize: number;
  language: Language;
  guidelines?: string;
  similarity: number;
  ngram: number;
  out: string;
  prompt?: string;
}

/** `medsafety generate seeds`: N harmful seed requests per guideline, near duplicates removed. */
export async function generateSeedsCommand(
  flags: SeedFlags,
  output: Output,
  setExit: (code: number) => void,
): Promise<void> {
  const catalog = loadCatalog(flags.catalog);
  const guidelines = selectGuidelines(catalog.guidelines, flags.guidelines, flags.catalog);
  const prompt = loadGenerationPrompt(flags.prompt ?? SEED_PROMPT, SEED_PROMPT_TEXTS);
  const params = {
    catalog: `${catalog.id}@${catalog.version}`,
    perGuideline: flags.perGuideline,
    batchSize: flags.batchSize,
    language: flags.language,
    similarity: flags.similarity,
    ngram: flags.ngram,
    prompt: `${prompt.ref}#${prompt.hash}`,
    out: resolve(flags.out),
  };
  const { result, runId, usage, cancelled } = await withGenerationSession(
    "generate seeds",
    flags,
    { generator: true },
    params,
    output,
    async (session) => {
      const out = new PartialFile(flags.out);
      try {
        const generator = session.models.generator;
        if (generator === undefined) throw new Error("generator not bound");
        const summary = await generateSeeds({
          catalog,
          guidelines,
          perGuideline: flags.perGuideline,
          batchSize: flags.batchSize,
          language: flags.language,
          generator,
          prompt,
          similarity: flags.similarity,
          ngram: flags.ngram,
          job: session.job,
          events: session.events,
          out,
        });
        if (!session.job.stopped) await out.commit();
        return summary;
      } finally {
        await out.close();
      }
    },
  );
  printSeedSummary(output, result, flags, runId, usage, cancelled);
  if (cancelled) setExit(130);
  else if (result.written === 0 && result.errorBatches > 0) {
    throw new MedsafetyError(
      "model_unavailable",
      `no seed was generated: ${result.errorBatches} batches errored (first: ${result.failures[0]?.message ?? "unknown"}). Check the generator's baseURL, model name and API key.`,
    );
  }
}

function selectGuidelines<T extends { id: string }>(all: readonly T[], ids: string | undefined, catalog: string): T[] {
  if (ids === undefined) return [...all];
  return ids
    .split(",")
    .map((id) => id.trim())
    .filter((id) => id !== "")
    .map((id) => {
      const found = all.find((guideline) => guideline.id === id);
      if (found === undefined)
        throw new InputError(
          "config_invalid",
          { file: catalog, field: "--guidelines" },
          `unknown guideline "${id}"`,
          "See `medsafety guidelines list`",
        );
      return found;
    });
}

function printSeedSummary(
  output: Output,
  summary: SeedSummary,
  flags: SeedFlags,
  runId: string,
  usage: Parameters<typeof formatUsage>[0],
  cancelled: boolean,
): void {
  output.out(
    `seeds: ${summary.guidelines} guidelines × ${flags.perGuideline} = ${summary.planned} planned, ${summary.generatedRequests} generated, ` +
      `${summary.removed.length} near duplicates removed (similarity ≥ ${flags.similarity}, ${flags.ngram}-grams), ${summary.written} written; ` +
      `missing ${summary.missingRequests} (batches failed ${summary.failedBatches}, errors ${summary.errorBatches}); ${formatUsage(usage)}`,
  );
  if (summary.removed.length > 0) {
    output.out("removed near duplicates (removed ≈ kept, similarity):");
    for (const removed of summary.removed) output.out(`  ${removed.id} ≈ ${removed.keptId} (${removed.similarity})`);
  }
  printFailures(output, summary.failures, summary.failedBatches + summary.errorBatches);
  const out = resolve(flags.out);
  output.out(
    cancelled
      ? `cancelled: partial output left in ${out}.partial; run the same command again to resume`
      : `wrote ${out}`,
  );
  output.out(`generation run: ${runId}`);
}
