import { ProviderError } from "../../core/index.js";
import type { ChatRequest } from "../chat-model.js";
import {
  answerObject,
  type BatchClient,
  type BatchEndpoint,
  type BatchOutcome,
  batchHttp,
  invalidAnswer,
  jsonLines,
  numberAt,
  record,
  stringAt,
} from "./batch-client.js";

/** Anthropic's limits of one Message Batch: 100,000 requests, 256 MB. */
const ANTHROPIC_LIMITS = { maxRequests: 100_000, maxBytes: 256 * 1024 * 1024 } as const;
/** `max_tokens` is required by the Messages API; @ai-sdk/anthropic sends the model's maximum, we send a safe one. */
const DEFAULT_MAX_TOKENS = 4096;

/**
 * Anthropic's Message Batches API (`POST /v1/messages/batches` with `{requests: [{custom_id, params}]}`, polled at
 * `GET /v1/messages/batches/{id}` until `processing_status` is `ended`, results as JSONL at `results_url`). Bodies are
 * the Messages bodies @ai-sdk/anthropic sends; structured output goes through the forced `json` tool, which every
 * model supports.
 */
export function anthropicBatchClient(model: string, endpoint: BatchEndpoint): BatchClient {
  return {
    provider: "anthropic",
    limits: ANTHROPIC_LIMITS,
    body: (request) => anthropicMessagesBody(model, request),
    entryBytes: (entry) => Buffer.byteLength(JSON.stringify({ custom_id: entry.customId, params: entry.body })) + 1,
    submit: async (entries) => {
      const batch = answerObject(
        endpoint,
        await batchHttp(endpoint, "POST", "/messages/batches", {
          contentType: "application/json",
          data: JSON.stringify({
            requests: entries.map((entry) => ({ custom_id: entry.customId, params: entry.body })),
          }),
        }),
        "the batch's creation answer",
      );
      const providerBatchId = stringAt(batch, "id");
      if (providerBatchId === undefined) throw invalidAnswer(endpoint, "the creation answer has no batch id");
      return { providerBatchId };
    },
    poll: async (providerBatchId) => {
      const batch = answerObject(
        endpoint,
        await batchHttp(endpoint, "GET", `/messages/batches/${encodeURIComponent(providerBatchId)}`),
        "the batch's status",
      );
      const status = stringAt(batch, "processing_status") ?? "unknown";
      const resultsUrl = stringAt(batch, "results_url");
      return { ended: status === "ended", providerStatus: status, ...(resultsUrl === undefined ? {} : { resultsUrl }) };
    },
    results: async (providerBatchId, state) => {
      const url = state.resultsUrl ?? `/messages/batches/${encodeURIComponent(providerBatchId)}/results`;
      const answer = await batchHttp(endpoint, "GET", url);
      const outcomes = new Map<string, BatchOutcome>();
      for (const line of jsonLines(endpoint, answer.text, `the results of batch ${providerBatchId}`)) {
        const customId = stringAt(line, "custom_id");
        if (customId !== undefined) outcomes.set(customId, anthropicOutcome(endpoint, providerBatchId, line));
      }
      return outcomes;
    },
  };
}

/** The Messages body of a request, as @ai-sdk/anthropic builds it (JSON through the forced `json` tool). */
export function anthropicMessagesBody(model: string, request: ChatRequest): Record<string, unknown> {
  return {
    model,
    max_tokens: request.maxTokens ?? DEFAULT_MAX_TOKENS,
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.system === undefined
      ? {}
      : {
          system: [
            {
              type: "text",
              text: request.system,
              // A stable prefix (rubric, policy) is marked for the prompt cache, as the synchronous call does.
              ...(request.cacheSystemPrompt === true ? { cache_control: { type: "ephemeral" } } : {}),
            },
          ],
        }),
    messages: request.messages.map((message) => ({
      role: message.role,
      content: [{ type: "text", text: message.content }],
    })),
    ...(request.responseSchema === undefined
      ? {}
      : {
          tools: [
            { name: "json", description: "Respond with a JSON object.", input_schema: request.responseSchema.schema },
          ],
          tool_choice: { type: "tool", name: "json" },
        }),
  };
}

/** One results line: `{custom_id, result: {type: succeeded|errored|canceled|expired, message | error}}`. */
function anthropicOutcome(endpoint: BatchEndpoint, batchId: string, line: Record<string, unknown>): BatchOutcome {
  const result = record(line["result"]);
  const type = stringAt(result, "type") ?? "unknown";
  const message = record(result?.["message"]);
  if (type === "succeeded" && message !== undefined) {
    let text = "";
    for (const part of Array.isArray(message["content"]) ? message["content"] : []) {
      const block = record(part);
      if (block?.["type"] === "text") text += stringAt(block, "text") ?? "";
      // The forced `json` tool's input is the structured answer, as the AI SDK returns it.
      else if (block?.["type"] === "tool_use" && block["name"] === "json") text += JSON.stringify(block["input"] ?? {});
    }
    const usage = record(message["usage"]);
    const cachedInputTokens = numberAt(usage, "cache_read_input_tokens");
    const cacheWriteTokens = numberAt(usage, "cache_creation_input_tokens");
    return {
      kind: "answer",
      response: {
        text,
        usage: {
          // Anthropic's input_tokens leaves out cache reads and writes; ours counts every input token.
          inputTokens: numberAt(usage, "input_tokens") + cachedInputTokens + cacheWriteTokens,
          outputTokens: numberAt(usage, "output_tokens"),
          ...(cachedInputTokens === 0 ? {} : { cachedInputTokens }),
          ...(cacheWriteTokens === 0 ? {} : { cacheWriteTokens }),
        },
        finishReason: finishReasonOf(stringAt(message, "stop_reason")),
        latencyMs: 0,
        cached: false,
        batched: true,
      },
    };
  }
  const error = record(record(result?.["error"])?.["error"]) ?? record(result?.["error"]);
  const detail =
    type === "errored" ? `${stringAt(error, "type") ?? "error"}: ${stringAt(error, "message") ?? ""}` : type;
  const why =
    type === "expired"
      ? "The batch's 24 h window ran out before it ran"
      : type === "canceled"
        ? "The batch was canceled before it ran"
        : "The provider refused or could not run it in the batch";
  return {
    kind: "error",
    error: new ProviderError(
      "provider_http",
      `${endpoint.label}: request ${type} in batch ${batchId} (${detail}). ${why}; run again with --resume --retry-errors to send it again.`,
      { isRetryable: false },
    ),
  };
}

/** The AI SDK's unified finish reasons, from Anthropic's stop reasons. */
function finishReasonOf(reason: string | undefined): string {
  switch (reason) {
    case "end_turn":
    case "stop_sequence":
    case "pause_turn":
      return "stop";
    case "max_tokens":
      return "length";
    case "tool_use":
      // The forced json tool is how structured output comes back: the answer is complete.
      return "stop";
    case "refusal":
      return "content-filter";
    default:
      return "other";
  }
}
