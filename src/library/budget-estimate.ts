import type { ChatMessage } from "../core/index.js";
import type { BenchmarkItem } from "../datasets/index.js";
import { buildJudgeRequest } from "../judges/index.js";
import type { ChatRequest } from "../providers/index.js";

/**
 * The conservative a-priori cost of one conversation, which a run budget charges a conversation before any of its
 * kind has finished (decision 0021). Every planned call is priced at its prompt's UTF-8 bytes / 3 input tokens (the
 * rule of `tokensPerMinute` reservations: above the real count for English, about one per character for Japanese)
 * plus its binding's `maxTokens` (4096 without one) output tokens, at the binding's full input and output price (no
 * prompt-cache read, no batch discount): a model's reply is never longer than `maxTokens`, so this is an upper bound
 * whenever the prompt rule is.
 */

/** USD per million tokens, as a price table or a binding's `price:` gives it. */
export interface TokenPrice {
  readonly input: number;
  readonly output: number;
}

/** One binding as the estimate sees it: its price, its `maxTokens`, and a target's `systemPrompt`. */
export interface EstimatedBinding {
  readonly price: TokenPrice;
  readonly maxTokens?: number;
  readonly systemPrompt?: string;
}

/** What one conversation will call: its target, every judge on every turn (with its rubric), the attacker. */
export interface ConversationPlan {
  readonly item: BenchmarkItem;
  /** User turns planned: the item's turns (replay), adaptive mode's maximum. */
  readonly turns: number;
  readonly target: EstimatedBinding;
  readonly judges: readonly (EstimatedBinding & { readonly rubric: Parameters<typeof buildJudgeRequest>[0] })[];
  /** Adaptive mode: the attacker writes every user turn. */
  readonly attacker?: EstimatedBinding;
}

/** Output tokens assumed for a binding without `maxTokens` (the `tokensPerMinute` reservation's default). */
export const DEFAULT_OUTPUT_TOKENS = 4096;

/**
 * Tokens of an adaptive attacker's prompt beyond the item and the conversation so far (its instructions and strategy
 * text); an allowance, since the prompt is built inside the attack.
 */
const ATTACKER_PROMPT_TOKENS = 2000;

/** The a-priori cost in USD of one conversation (see the module note). */
export function conversationCostEstimate(plan: ConversationPlan): number {
  const targetOut = outputTokens(plan.target);
  const userTokens = plan.attacker === undefined ? undefined : outputTokens(plan.attacker);
  let total = 0;
  const users: string[] = [];
  for (let turn = 0; turn < plan.turns; turn += 1) {
    const user = userTokens === undefined ? (plan.item.turns[turn] ?? "") : "";
    users.push(user);
    const earlierReplies = turn * targetOut;
    const writtenUsers = userTokens === undefined ? 0 : (turn + 1) * userTokens;
    if (plan.attacker !== undefined) {
      const attackerInput =
        tokensOf(bytes(JSON.stringify(plan.item))) + ATTACKER_PROMPT_TOKENS + turn * ((userTokens ?? 0) + targetOut);
      total += price(plan.attacker.price, attackerInput, outputTokens(plan.attacker));
    }
    const targetInput =
      tokensOf(bytes(plan.target.systemPrompt ?? "") + sumBytes(users)) + earlierReplies + writtenUsers;
    total += price(plan.target.price, targetInput, targetOut);
    for (const judge of plan.judges) {
      // The judge sees every user turn and every reply so far; replies are left empty and counted as maxTokens.
      const request = buildJudgeRequest(judge.rubric, {
        language: plan.item.language,
        conversation: conversationOf(users),
        turnIndex: turn,
      });
      const judgeInput = tokensOf(requestBytes(request)) + (turn + 1) * targetOut + writtenUsers;
      total += price(judge.price, judgeInput, outputTokens(judge));
    }
  }
  return total;
}

/** Target and judge calls of a conversation: what its stored calls (turns + judgments) are compared with. */
export function plannedCalls(turns: number, judges: number): number {
  return turns * (1 + judges);
}

function conversationOf(users: readonly string[]): ChatMessage[] {
  return users.flatMap((content): ChatMessage[] => [
    { role: "user", content },
    { role: "assistant", content: "" },
  ]);
}

function requestBytes(request: ChatRequest): number {
  let total = bytes(request.system ?? "");
  for (const message of request.messages) total += bytes(message.content);
  if (request.responseSchema !== undefined) total += bytes(JSON.stringify(request.responseSchema.schema));
  return total;
}

function outputTokens(binding: EstimatedBinding): number {
  return binding.maxTokens ?? DEFAULT_OUTPUT_TOKENS;
}

function price(rate: TokenPrice, input: number, output: number): number {
  return (input * rate.input + output * rate.output) / 1_000_000;
}

function bytes(text: string): number {
  return Buffer.byteLength(text);
}

function sumBytes(texts: readonly string[]): number {
  return texts.reduce((sum, text) => sum + bytes(text), 0);
}

function tokensOf(byteCount: number): number {
  return Math.ceil(byteCount / 3);
}
