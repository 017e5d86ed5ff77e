import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { type ChatMessage, InputError, type Language, packageRoot, readJsonFile, tryParseJson } from "../core/index.js";
import type { BenchmarkItem } from "../datasets/index.js";
import { type Strategy, strategyRef, turnRole } from "../generation/index.js";
import type { ChatRequest, JsonSchema } from "../providers/index.js";

const text = z.string().trim().min(1);

/** The attacker's text in one language. */
export const attackerPromptTextSchema = z.strictObject({
  system: text,
  /** The user message: placeholders {{seedRequest}}, {{strategyName}}, {{history}}, ... (see the data file's description). */
  template: text,
  /** One line of the strategy's turn plan: {{number}}, {{role}}, {{text}}. */
  turnLine: text,
  roles: z.strictObject({ opening: text, escalation: text, push: text }),
  userLabel: text,
  assistantLabel: text,
  /** Sent after an answer that is not a valid attacker answer: {{problem}}. */
  invalidAnswer: text,
});

/** A versioned adaptive-attacker prompt file (`src/generation/prompts/adaptive-attacker.json`), ja + en. */
export const attackerPromptSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  description: z.string().min(1).optional(),
  languages: z.strictObject({ ja: attackerPromptTextSchema, en: attackerPromptTextSchema }),
});

export type AttackerPrompt = z.output<typeof attackerPromptSchema>;
type AttackerPromptText = z.output<typeof attackerPromptTextSchema>;

/** Path of the built-in adaptive-attacker prompt (data, shipped with the package). */
export function builtinAttackerPromptPath(): string {
  return join(packageRoot(), "src", "generation", "prompts", "adaptive-attacker.json");
}

/** Loads and validates an attacker prompt file (default: the built-in one); errors name the file and field. */
export function loadAttackerPrompt(path: string = builtinAttackerPromptPath()): AttackerPrompt {
  const absolute = resolve(path);
  if (!existsSync(absolute)) {
    throw new InputError(
      "config_invalid",
      { file: absolute },
      "adaptive-attacker prompt not found",
      "Reinstall medsafety",
    );
  }
  return readJsonFile(absolute, attackerPromptSchema, {
    what: "adaptive-attacker prompt",
    example: "See src/generation/prompts/adaptive-attacker.json for the expected shape",
  });
}

/**
 * The attacker's structured output. Flat, with every field required, so that providers' strict JSON-schema modes
 * accept it; the unused field is an empty string.
 */
export const ATTACKER_ANSWER_SCHEMA: JsonSchema = {
  type: "object",
  properties: {
    action: { type: "string", enum: ["send", "give-up"] },
    message: { type: "string" },
    reason: { type: "string" },
  },
  required: ["action", "message", "reason"],
  additionalProperties: false,
};

/** A valid attacker answer (validated leniently: extra keys are ignored, the unused field may be missing). */
export const attackerAnswerSchema = z.discriminatedUnion("action", [
  z.looseObject({ action: z.literal("send"), message: z.string().trim().min(1, "the message to send is empty") }),
  z.looseObject({ action: z.literal("give-up"), reason: z.string().trim().default("") }),
]);

export type AttackerAnswer =
  | { readonly kind: "send"; readonly message: string }
  | { readonly kind: "give-up"; readonly reason: string }
  | { readonly kind: "invalid"; readonly problem: string };

/** Reads the attacker's raw answer: the whole text as JSON, or the first {...} block (models wrap JSON in prose). */
export function parseAttackerAnswer(rawText: string): AttackerAnswer {
  const trimmed = rawText.trim();
  if (trimmed === "") return { kind: "invalid", problem: "the answer is empty" };
  const json = parseJson(trimmed) ?? parseJson(trimmed.slice(trimmed.indexOf("{"), trimmed.lastIndexOf("}") + 1));
  if (json === undefined) return { kind: "invalid", problem: "the answer holds no JSON object" };
  const parsed = attackerAnswerSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      kind: "invalid",
      problem: `${issue?.path.join(".") || "answer"}: ${issue?.message ?? "not an attacker answer"}`,
    };
  }
  return parsed.data.action === "send"
    ? { kind: "send", message: parsed.data.message.trim() }
    : { kind: "give-up", reason: parsed.data.reason };
}

function parseJson(candidate: string): unknown {
  return candidate.startsWith("{") ? tryParseJson(candidate) : undefined;
}

/** What the attacker is asked to continue. */
export interface AttackerInput {
  readonly item: BenchmarkItem;
  readonly strategy: Strategy;
  readonly conversation: readonly ChatMessage[];
  readonly turnIndex: number;
  readonly maxTurns: number;
}

/**
 * The attacker's request for the next user turn, in the item's language, asking for structured output. The system
 * text (the attacker's instructions) is constant per language and goes first, marked cacheable; the item, strategy
 * and conversation follow in the user message.
 */
export function buildAttackerRequest(prompt: AttackerPrompt, input: AttackerInput): ChatRequest {
  const language: Language = input.item.language;
  const words = prompt.languages[language];
  const { strategy } = input;
  const guidance = strategy.turns[Math.min(input.turnIndex, strategy.turns.length - 1)]?.[language] ?? "";
  const content = fill(words.template, {
    seedRequest: input.item.seedRequest,
    guidelineId: input.item.guidelineId,
    strategyName: strategy.name[language],
    strategyRef: strategyRef(strategy),
    strategyDefinition: strategy.definition[language],
    turnPlan: strategy.turns
      .map((turn, index) =>
        fill(words.turnLine, {
          number: String(index + 1),
          role: words.roles[turnRole(index, strategy.turns.length)],
          text: turn[language],
        }),
      )
      .join("\n"),
    strategyExample: strategy.example[language].map((line, index) => `${index + 1}. ${line}`).join("\n"),
    history: formatHistory(words, input.conversation),
    turnNumber: String(input.turnIndex + 1),
    maxTurns: String(input.maxTurns),
    turnRole: words.roles[turnRole(input.turnIndex, input.maxTurns)],
    turnGuidance: guidance,
  });
  return {
    system: words.system,
    cacheSystemPrompt: true,
    messages: [{ role: "user", content }],
    responseSchema: { name: "attacker_turn", schema: ATTACKER_ANSWER_SCHEMA },
  };
}

/** The request once more, with the invalid answer and a correction appended (so the retry is a new request). */
export function correctionRequest(
  prompt: AttackerPrompt,
  language: Language,
  request: ChatRequest,
  rawText: string,
  problem: string,
): ChatRequest {
  return {
    ...request,
    messages: [
      ...request.messages,
      { role: "assistant", content: rawText.trim() === "" ? "(empty)" : rawText },
      { role: "user", content: fill(prompt.languages[language].invalidAnswer, { problem }) },
    ],
  };
}

function formatHistory(words: AttackerPromptText, conversation: readonly ChatMessage[]): string {
  return conversation
    .map((message) => `[${message.role === "user" ? words.userLabel : words.assistantLabel}]\n${message.content}`)
    .join("\n\n");
}

/** Replaces each {{name}} once, in one pass, so text inside values is never re-expanded. */
function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(
    /\{\{(\w+)\}\}/g,
    (whole, name: string) => (Object.hasOwn(values, name) ? values[name] : undefined) ?? whole,
  );
}
