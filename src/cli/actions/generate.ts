import { resolve } from "node:path";
import { MedsafetyError } from "../../core/index.js";
import {
  BUILTIN_STRATEGY_SOURCE,
  CONVERSATION_PROMPT,
  CONVERSATION_PROMPT_TEXTS,
  type ConversationSummary,
  generateConversations,
  loadGenerationPrompt,
  loadStrategies,
  PartialFile,
} from "../../generation/index.js";
import { printFailures } from "../commands/generation-flags.js";
import type { GenerationFlags } from "../generation-session.js";
import { formatUsage, idList, withGenerationSession } from "../generation-session.js";
import type { Output } from "../output.js";

export interface ConversationFlags extends GenerationFlags {
  seeds: string;
  strategies: string;
  strategyFile: string[];
  attackers: string;
  turns: number;
  out: string;
  prompt?: string;
}

/** `medsafety generate conversations`: every seed × strategy × attacker as a multi-turn benchmark item. */
export async function generateConversationsCommand(
  flags: ConversationFlags,
  output: Output,
  setExit: (code: number) => void,
): Promise<void> {
  const strategies = loadStrategies({
    sources: [BUILTIN_STRATEGY_SOURCE, ...flags.strategyFile],
    select: flags.strategies,
  });
  const prompt = loadGenerationPrompt(flags.prompt ?? CONVERSATION_PROMPT, CONVERSATION_PROMPT_TEXTS);
  const params = {
    seeds: resolve(flags.seeds),
    strategies: strategies.map((entry) => `${entry.ref}#${entry.hash}`),
    attackers: flags.attackers,
    turns: flags.turns,
    prompt: `${prompt.ref}#${prompt.hash}`,
    out: resolve(flags.out),
  };
  const { result, runId, usage, cancelled } = await withGenerationSession(
    "generate conversations",
    flags,
    { attackers: idList(flags.attackers) },
    params,
    output,
    async (session) => {
      const out = new PartialFile(flags.out);
      try {
        const summary = await generateConversations({
          seedsPath: flags.seeds,
          strategies,
          attackers: session.models.attackers,
          turns: flags.turns,
          prompt,
          job: session.job,
          events: session.events,
          out,
          inFlight: session.concurrency * 2,
        });
        if (!session.job.stopped) await out.commit();
        return summary;
      } finally {
        await out.close();
      }
    },
  );
  printConversationSummary(output, result, runId, usage, cancelled, resolve(flags.out));
  if (cancelled) setExit(130);
  else failIfNothingWritten(result);
}

function printConversationSummary(
  output: Output,
  summary: ConversationSummary,
  runId: string,
  usage: Parameters<typeof formatUsage>[0],
  cancelled: boolean,
  out: string,
): void {
  output.out(
    `conversations: ${summary.seeds} seeds, planned ${summary.planned}, written ${summary.written} (generated ${summary.generated}, reused ${summary.reused}), ` +
      `failed ${summary.failed} (invalid output), errors ${summary.errors}; ${formatUsage(usage)}`,
  );
  printFailures(output, summary.failures, summary.failed + summary.errors);
  output.out(
    cancelled
      ? `cancelled: partial output left in ${out}.partial; run the same command again to resume`
      : `wrote ${out}`,
  );
  output.out(`generation run: ${runId}`);
}

/** Every task errored: a provider or model problem (exit 3), not a result. */
function failIfNothingWritten(summary: ConversationSummary): void {
  if (summary.planned > 0 && summary.written === 0 && summary.errors > 0) {
    throw new MedsafetyError(
      "model_unavailable",
      `no conversation was generated: all ${summary.errors + summary.failed} tasks failed (first: ${summary.failures[0]?.message ?? "unknown"}). Check the attackers' baseURL, model names and API keys.`,
    );
  }
}
