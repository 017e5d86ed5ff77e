import { ProviderError } from "../../core/index.js";
import type { ChatRequest } from "../chat-model.js";
import {
  answerObject,
  type BatchClient,
  type BatchEndpoint,
  type BatchEntry,
  type BatchOutcome,
  batchHttp,
  jsonLines,
  numberAt,
  record,
  stringAt,
} from "./batch-client.js";

/** OpenAI's limits of one batch: 50,000 requests, an input file of at most 200 MB. */
const OPENAI_LIMITS = { maxRequests: 50_000, maxBytes: 200 * 1024 * 1024 } as const;
const ENDED = new Set(["completed", "failed", "expired", "cancelled"]);
/** Reasoning models take `max_completion_tokens` and no temperature (as @ai-sdk/openai sends them). */
const REASONING_MODEL = /^(o\d|gpt-5)/;

/**
 * OpenAI's Batch API (`/v1/files` JSONL upload with purpose `batch`, `/v1/batches` with endpoint
 * `/v1/chat/completions` and a 24 h window, results and errors as JSONL files). Bodies are the chat-completions
 * bodies @ai-sdk/openai sends (strict `json_schema` response format).
 */
export function openaiBatchClient(model: string, endpoint: BatchEndpoint): BatchClient {
  return {
    provider: "openai",
    limits: OPENAI_LIMITS,
    body: (request) => openaiChatBody(model, request),
    entryBytes: (entry) => Buffer.byteLength(openaiLine(entry)) + 1,
    submit: async (entries) => {
      const jsonl = `${entries.map(openaiLine).join("\n")}\n`;
      const boundary = `----medsafety${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
      const multipart =
        `--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="medsafety-batch.jsonl"\r\n` +
        `Content-Type: application/jsonl\r\n\r\n${jsonl}\r\n--${boundary}--\r\n`;
      const file = answerObject(
        endpoint,
        await batchHttp(endpoint, "POST", "/files", {
          contentType: `multipart/form-data; boundary=${boundary}`,
          data: multipart,
        }),
        "the file upload's answer",
      );
      const inputFileId = stringAt(file, "id");
      if (inputFileId === undefined) throw missing(endpoint, "the uploaded file's id");
      const batch = answerObject(
        endpoint,
        await batchHttp(endpoint, "POST", "/batches", {
          contentType: "application/json",
          data: JSON.stringify({
            input_file_id: inputFileId,
            endpoint: "/v1/chat/completions",
            completion_window: "24h",
          }),
        }),
        "the batch's creation answer",
      );
      const providerBatchId = stringAt(batch, "id");
      if (providerBatchId === undefined) throw missing(endpoint, "the batch id");
      return { providerBatchId, inputFileId };
    },
    poll: async (providerBatchId) => {
      const batch = answerObject(
        endpoint,
        await batchHttp(endpoint, "GET", `/batches/${encodeURIComponent(providerBatchId)}`),
        "the batch's status",
      );
      const status = stringAt(batch, "status") ?? "unknown";
      const outputFileId = stringAt(batch, "output_file_id");
      const errorFileId = stringAt(batch, "error_file_id");
      const errors = record(batch["errors"])?.["data"];
      const detail = Array.isArray(errors)
        ? errors
            .map((error) => stringAt(record(error), "message"))
            .filter((message) => message !== undefined)
            .join("; ")
        : "";
      return {
        ...(detail === "" ? {} : { detail }),
        ended: ENDED.has(status),
        providerStatus: status,
        ...(outputFileId === undefined ? {} : { outputFileId }),
        ...(errorFileId === undefined ? {} : { errorFileId }),
      };
    },
    results: async (providerBatchId, state) => {
      const outcomes = new Map<string, BatchOutcome>();
      for (const fileId of [state.outputFileId, state.errorFileId]) {
        if (fileId === undefined) continue;
        const answer = await batchHttp(endpoint, "GET", `/files/${encodeURIComponent(fileId)}/content`);
        for (const line of jsonLines(endpoint, answer.text, `results file ${fileId}`)) {
          const customId = stringAt(line, "custom_id");
          if (customId !== undefined) outcomes.set(customId, openaiOutcome(endpoint, providerBatchId, line));
        }
      }
      return outcomes;
    },
  };
}

function openaiLine(entry: BatchEntry): string {
  return JSON.stringify({ custom_id: entry.customId, method: "POST", url: "/v1/chat/completions", body: entry.body });
}

/** The chat-completions body of a request, as @ai-sdk/openai builds it. */
export function openaiChatBody(model: string, request: ChatRequest): Record<string, unknown> {
  const reasoning = REASONING_MODEL.test(model);
  const messages = [
    ...(request.system === undefined ? [] : [{ role: reasoning ? "developer" : "system", content: request.system }]),
    ...request.messages.map((message) => ({ role: message.role, content: message.content })),
  ];
  return {
    model,
    messages,
    ...(request.maxTokens === undefined
      ? {}
      : reasoning
        ? { max_completion_tokens: request.maxTokens }
        : { max_tokens: request.maxTokens }),
    ...(request.temperature === undefined || reasoning ? {} : { temperature: request.temperature }),
    ...(request.seed === undefined ? {} : { seed: request.seed }),
    ...(request.responseSchema === undefined
      ? {}
      : {
          response_format: {
            type: "json_schema",
            json_schema: { schema: request.responseSchema.schema, strict: true, name: request.responseSchema.name },
          },
        }),
  };
}

/** One line of an output or error file: `{custom_id, response: {status_code, body}, error}`. */
function openaiOutcome(endpoint: BatchEndpoint, batchId: string, line: Record<string, unknown>): BatchOutcome {
  const response = record(line["response"]);
  const body = record(response?.["body"]);
  const statusCode = numberAt(response, "status_code");
  if (response !== undefined && statusCode >= 200 && statusCode < 300 && body !== undefined) {
    const choice = record(Array.isArray(body["choices"]) ? body["choices"][0] : undefined);
    const message = record(choice?.["message"]);
    const usage = record(body["usage"]);
    const cachedInputTokens = numberAt(record(usage?.["prompt_tokens_details"]), "cached_tokens");
    return {
      kind: "answer",
      response: {
        text: stringAt(message, "content") ?? "",
        usage: {
          inputTokens: numberAt(usage, "prompt_tokens"),
          outputTokens: numberAt(usage, "completion_tokens"),
          ...(cachedInputTokens === 0 ? {} : { cachedInputTokens }),
        },
        finishReason: finishReasonOf(stringAt(choice, "finish_reason")),
        latencyMs: 0,
        cached: false,
        batched: true,
      },
    };
  }
  const error = record(line["error"]) ?? record(body?.["error"]);
  const code = stringAt(error, "code") ?? stringAt(error, "type") ?? "unknown";
  const message = stringAt(error, "message") ?? "no message";
  const expired = code === "batch_expired";
  return {
    kind: "error",
    error: new ProviderError(
      "provider_http",
      `${endpoint.label}: request failed in batch ${batchId} (${code}${statusCode === 0 ? "" : `, HTTP ${statusCode}`}: ${message}). ${
        expired
          ? "The batch's 24 h window ran out before it ran"
          : "The provider refused or could not run it in the batch"
      }; run again with --resume --retry-errors to send it again.`,
      { ...(statusCode === 0 ? {} : { statusCode }), isRetryable: false },
    ),
  };
}

/** The AI SDK's unified finish reasons, from OpenAI's. */
function finishReasonOf(reason: string | undefined): string {
  switch (reason) {
    case "stop":
      return "stop";
    case "length":
      return "length";
    case "content_filter":
      return "content-filter";
    case "tool_calls":
    case "function_call":
      return "tool-calls";
    default:
      return "other";
  }
}

function missing(endpoint: BatchEndpoint, what: string): ProviderError {
  return new ProviderError(
    "provider_response_invalid",
    `${endpoint.label}: the batch API's answer has no ${what}. Check that baseURL points at OpenAI's API.`,
    { isRetryable: false },
  );
}
