import { z } from "zod";
import type { Language } from "../../core/index.js";
import type { BenchmarkItemInput } from "../../datasets/index.js";
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
} from "../jobs/index.js";
import { checkSeedsFile, readSeeds, type Seed } from "../seeds/index.js";
import { type LoadedStrategy, turnRole } from "../strategies/index.js";

/** The built-in attacker prompt (`src/generation/prompts/conversation-attacker.json`) and the texts it must hold. */
export const CONVERSATION_PROMPT = "conversation-attacker";
export const CONVERSATION_PROMPT_TEXTS = ["system", "template", "repair"] as const;

export interface GenerateConversationsOptions {
  readonly seedsPath: string;
  readonly strategies: readonly LoadedStrategy[];
  readonly attackers: readonly GenerationModel[];
  /** User turns per conversation (3 in JMedEthicBench). */
  readonly turns: number;
  readonly prompt: GenerationPrompt;
  readonly job: GenerationJob;
  readonly events: GenerationEvents;
  readonly out: PartialFile;
  /** Conversations in flight (a pool pulling seeds × strategies × attackers from the file: memory flat in N). */
  readonly inFlight: number;
}

export interface ConversationSummary {
  readonly seeds: number;
  readonly planned: number;
  readonly written: number;
  readonly generated: number;
  readonly reused: number;
  readonly failed: number;
  readonly errors: number;
  /** The first failures (at most 20), for the summary; every one is in the store. */
  readonly failures: readonly GenerationFailure[];
}

const MAX_LISTED_FAILURES = 20;

/**
 * For every seed × strategy × attacker, has the attacker write the user turns of one conversation as structured
 * output (`{"turns": [...]}`, exactly `turns` non-empty strings), and streams each valid conversation to `out` as
 * a benchmark item with its provenance. Invalid answers are asked again, then recorded as failed; nothing is
 * dropped silently: every planned conversation is written, failed or errored, and counted.
 */
export async function generateConversations(options: GenerateConversationsOptions): Promise<ConversationSummary> {
  const seeds = await checkSeedsFile(options.seedsPath);
  const planned = seeds * options.strategies.length * options.attackers.length;
  options.events.emit("job-start", { command: "generate conversations", tasks: planned });
  const output = structuredOutput(
    "conversation",
    z.strictObject({ turns: z.array(z.string().trim().min(1, "a turn must not be empty")).length(options.turns) }),
  );
  const counts = { written: 0, generated: 0, reused: 0, failed: 0, errors: 0 };
  const failures: GenerationFailure[] = [];
  await forEachConcurrent(
    units(options),
    options.inFlight,
    async ({ seed, strategy, attacker }) => {
      const task = conversationTask(options, output, seed, strategy, attacker);
      const outcome = await options.job.run(task);
      if (outcome.status === "success") {
        await options.out.writeJson(conversationItem(options, seed, strategy, attacker, task.key, outcome.value.turns));
        counts.written += 1;
        if (outcome.reused) counts.reused += 1;
        else counts.generated += 1;
        return;
      }
      if (outcome.status === "failed") counts.failed += 1;
      else counts.errors += 1;
      if (failures.length < MAX_LISTED_FAILURES) {
        failures.push({
          subject: task.subject,
          modelId: attacker.id,
          status: outcome.status,
          message: outcome.status === "failed" ? outcome.problem : outcome.errorMessage,
        });
      }
    },
    () => options.job.stopped,
  );
  return { seeds, planned, ...counts, failures };
}

interface Unit {
  readonly seed: Seed;
  readonly strategy: LoadedStrategy;
  readonly attacker: GenerationModel;
}

async function* units(options: GenerateConversationsOptions): AsyncGenerator<Unit> {
  for await (const { value: seed } of readSeeds(options.seedsPath)) {
    for (const strategy of options.strategies) {
      for (const attacker of options.attackers) yield { seed, strategy, attacker };
    }
  }
}

function conversationTask(
  options: GenerateConversationsOptions,
  output: ReturnType<typeof structuredOutput<z.ZodType<{ turns: string[] }>>>,
  seed: Seed,
  strategy: LoadedStrategy,
  attacker: GenerationModel,
): GenerationTask<{ turns: string[] }> {
  const language = seed.language;
  const inputs = {
    seed: { id: seed.id, language, guidelineId: seed.guidelineId, request: seed.request },
    strategy: strategy.ref,
    strategyHash: strategy.hash,
    turns: options.turns,
  };
  return {
    key: generationTaskKey("conversation", inputs, options.prompt.hash, attacker),
    kind: "conversation",
    subject: conversationId(seed, strategy, attacker),
    model: attacker,
    promptHash: options.prompt.hash,
    input: inputs,
    request: {
      system: options.prompt.text(language, "system"),
      cacheSystemPrompt: true,
      messages: [
        {
          role: "user",
          content: options.prompt.text(language, "template", promptValues(seed, strategy, options.turns, language)),
        },
      ],
      responseSchema: output.responseSchema,
    },
    parse: output.parse,
    repair: (problem) => options.prompt.text(language, "repair", { problem, turnCount: String(options.turns) }),
  };
}

function promptValues(seed: Seed, strategy: LoadedStrategy, turns: number, language: Language): Record<string, string> {
  const { strategy: definition } = strategy;
  const count = definition.turns.length;
  return {
    seedRequest: seed.request,
    guidelineId: seed.guidelineId,
    strategyName: definition.name[language],
    strategyDefinition: definition.definition[language],
    turnPlan: definition.turns
      .map((turn, index) => `${index} (${turnRole(index, count)}): ${turn[language]}`)
      .join("\n"),
    example: definition.example[language].map((line, index) => `${index}: ${line}`).join("\n"),
    turnCount: String(turns),
  };
}

/** `<seed>.<strategy>.v<version>.<attacker>`: unique per seed × strategy version × attacker, valid as an item id. */
export function conversationId(
  seed: Pick<Seed, "id">,
  strategy: LoadedStrategy,
  attacker: Pick<GenerationModel, "id">,
): string {
  return `${seed.id}.${strategy.strategy.id}.v${strategy.strategy.version}.${attacker.id}`;
}

function conversationItem(
  options: GenerateConversationsOptions,
  seed: Seed,
  strategy: LoadedStrategy,
  attacker: GenerationModel,
  key: string,
  turns: string[],
): BenchmarkItemInput {
  const id = conversationId(seed, strategy, attacker);
  return {
    id,
    language: seed.language,
    pairId:
      seed.pairId === undefined
        ? id
        : `${seed.pairId}.${strategy.strategy.id}.v${strategy.strategy.version}.${attacker.id}`,
    guidelineId: seed.guidelineId,
    strategy: strategy.strategy.id,
    seedRequest: seed.request,
    turns,
    metadata: {
      seedId: seed.id,
      guidelineId: seed.guidelineId,
      ...(seed.guidelineSection === undefined ? {} : { guidelineSection: seed.guidelineSection }),
      strategyRef: strategy.ref,
      strategyHash: strategy.hash,
      attacker: attacker.id,
      attackerModel: attacker.spec,
      promptTemplate: options.prompt.ref,
      promptHash: options.prompt.hash,
      generationKey: key,
    },
  };
}
