/**
 * The providers' real non-streaming wire formats, as the fixture server needs them: read a request body into a
 * provider-neutral shape, and write answers and errors the way each API writes them. Shapes follow what the
 * AI SDK provider packages send and parse (`@ai-sdk/openai` chat + responses, `@ai-sdk/anthropic` messages,
 * `@ai-sdk/google` generateContent).
 */

export type FixtureProvider = "openai" | "anthropic" | "google";

export interface FixtureMessage {
  role: "user" | "assistant";
  content: string;
}

/** A request body read into the neutral shape the fixture handler sees. */
export interface DecodedRequest {
  model: string;
  system: string | undefined;
  messages: FixtureMessage[];
  jsonSchema: Record<string, unknown> | undefined;
  /** Anthropic only: JSON was asked for through the forced `json` tool (older models), not `output_config`. */
  jsonViaTool: boolean;
}

/** What the handler answered, ready to encode. `json` is set when the answer is a structured object. */
export interface AnswerToEncode {
  text: string;
  json: { value: unknown } | undefined;
  /** Every input token, those read from or written to the prompt cache included. */
  inputTokens: number;
  outputTokens: number;
  /** Input tokens read from the provider's prompt cache (part of `inputTokens`; 0: none). */
  cachedInputTokens: number;
  /** Input tokens written to the prompt cache (Anthropic only; part of `inputTokens`; 0: none). */
  cacheWriteTokens: number;
}

export interface WireFormat {
  readonly provider: FixtureProvider;
  decode(body: Record<string, unknown>, modelFromPath: string | undefined): DecodedRequest;
  encodeAnswer(request: DecodedRequest, answer: AnswerToEncode): unknown;
  encodeError(status: number, message: string): unknown;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Text of a content field: a string, or an array of parts that carry `text`. */
function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part) => (isRecord(part) ? (asString(part["text"]) ?? "") : "")).join("");
}

function joinSystem(parts: readonly string[]): string | undefined {
  return parts.length === 0 ? undefined : parts.join("\n\n");
}

/** Reads `{role, content}` items, sending system/developer roles to `system` and dropping tool turns. */
function splitRoles(
  items: readonly unknown[],
  assistantRole: string,
): { system: string[]; messages: FixtureMessage[] } {
  const system: string[] = [];
  const messages: FixtureMessage[] = [];
  for (const item of items) {
    if (!isRecord(item)) continue;
    const role = item["role"];
    const content = "parts" in item ? textOf(item["parts"]) : textOf(item["content"]);
    if (role === "system" || role === "developer") system.push(content);
    else if (role === "user") messages.push({ role: "user", content });
    else if (role === assistantRole) messages.push({ role: "assistant", content });
  }
  return { system, messages };
}

function arrayAt(record: Record<string, unknown>, key: string): unknown[] {
  const value = record[key];
  return Array.isArray(value) ? value : [];
}

function recordAt(record: Record<string, unknown> | undefined, key: string): Record<string, unknown> | undefined {
  const value = record?.[key];
  return isRecord(value) ? value : undefined;
}

function fixtureId(prefix: string): string {
  return `${prefix}${Math.random().toString(36).slice(2, 14)}`;
}

const OPENAI_ERROR_TYPES: Readonly<Record<number, [type: string, code: string | null]>> = {
  400: ["invalid_request_error", null],
  401: ["invalid_request_error", "invalid_api_key"],
  403: ["permission_error", null],
  404: ["invalid_request_error", "model_not_found"],
  429: ["requests", "rate_limit_exceeded"],
};

function openaiError(status: number, message: string): unknown {
  const [type, code] =
    OPENAI_ERROR_TYPES[status] ?? (status >= 500 ? ["server_error", null] : ["invalid_request_error", null]);
  return { error: { message, type, param: null, code } };
}

function openaiJsonSchema(format: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (format === undefined) return undefined;
  if (format["type"] === "json_object") return {};
  if (format["type"] !== "json_schema") return undefined;
  // Chat completions nest the schema under json_schema; the Responses API puts it on the format itself.
  return recordAt(recordAt(format, "json_schema"), "schema") ?? recordAt(format, "schema") ?? {};
}

/** OpenAI chat completions (`POST /v1/chat/completions`), also spoken by OpenAI-compatible servers. */
export const openaiChatFormat: WireFormat = {
  provider: "openai",
  decode(body) {
    const { system, messages } = splitRoles(arrayAt(body, "messages"), "assistant");
    const jsonSchema = openaiJsonSchema(recordAt(body, "response_format"));
    return {
      model: asString(body["model"]) ?? "",
      system: joinSystem(system),
      messages,
      jsonSchema,
      jsonViaTool: false,
    };
  },
  encodeAnswer(request, answer) {
    return {
      id: fixtureId("chatcmpl-"),
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: answer.text, refusal: null },
          logprobs: null,
          finish_reason: "stop",
        },
      ],
      usage: {
        prompt_tokens: answer.inputTokens,
        completion_tokens: answer.outputTokens,
        total_tokens: answer.inputTokens + answer.outputTokens,
        // OpenAI and OpenAI-compatible servers (vLLM, llama.cpp) count cache reads inside prompt_tokens.
        prompt_tokens_details: { cached_tokens: answer.cachedInputTokens },
      },
    };
  },
  encodeError: openaiError,
};

/** OpenAI Responses API (`POST /v1/responses`), what `openai(modelId)` calls by default in @ai-sdk/openai v3. */
export const openaiResponsesFormat: WireFormat = {
  provider: "openai",
  decode(body) {
    const input = body["input"];
    const items = typeof input === "string" ? [{ role: "user", content: input }] : Array.isArray(input) ? input : [];
    const { system, messages } = splitRoles(items, "assistant");
    const instructions = asString(body["instructions"]);
    const jsonSchema = openaiJsonSchema(recordAt(recordAt(body, "text"), "format"));
    const allSystem = instructions === undefined ? system : [instructions, ...system];
    return {
      model: asString(body["model"]) ?? "",
      system: joinSystem(allSystem),
      messages,
      jsonSchema,
      jsonViaTool: false,
    };
  },
  encodeAnswer(request, answer) {
    return {
      id: fixtureId("resp_"),
      object: "response",
      created_at: Math.floor(Date.now() / 1000),
      status: "completed",
      model: request.model,
      output: [
        {
          type: "message",
          id: fixtureId("msg_"),
          status: "completed",
          role: "assistant",
          content: [{ type: "output_text", text: answer.text, annotations: [] }],
        },
      ],
      incomplete_details: null,
      usage: {
        input_tokens: answer.inputTokens,
        input_tokens_details: { cached_tokens: answer.cachedInputTokens },
        output_tokens: answer.outputTokens,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: answer.inputTokens + answer.outputTokens,
      },
    };
  },
  encodeError: openaiError,
};

const ANTHROPIC_ERROR_TYPES: Readonly<Record<number, string>> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  529: "overloaded_error",
};

/** The forced `json` tool @ai-sdk/anthropic uses for JSON on models without native structured output. */
function anthropicJsonTool(body: Record<string, unknown>): Record<string, unknown> | undefined {
  const tool = arrayAt(body, "tools").find((candidate) => isRecord(candidate) && candidate["name"] === "json");
  return isRecord(tool) ? (recordAt(tool, "input_schema") ?? {}) : undefined;
}

/** Anthropic messages (`POST /v1/messages`). JSON comes as `output_config.format` or as the forced `json` tool. */
export const anthropicFormat: WireFormat = {
  provider: "anthropic",
  decode(body) {
    const systemField = body["system"];
    const system =
      typeof systemField === "string" ? systemField : Array.isArray(systemField) ? textOf(systemField) : undefined;
    const { messages } = splitRoles(arrayAt(body, "messages"), "assistant");
    const nativeFormat = recordAt(recordAt(body, "output_config"), "format");
    const nativeSchema =
      nativeFormat?.["type"] === "json_schema" ? (recordAt(nativeFormat, "schema") ?? {}) : undefined;
    const toolSchema = nativeSchema === undefined ? anthropicJsonTool(body) : undefined;
    return {
      model: asString(body["model"]) ?? "",
      system: system === "" ? undefined : system,
      messages,
      jsonSchema: nativeSchema ?? toolSchema,
      jsonViaTool: toolSchema !== undefined,
    };
  },
  encodeAnswer(request, answer) {
    const asTool = request.jsonViaTool && answer.json !== undefined;
    const content = asTool
      ? [{ type: "tool_use", id: fixtureId("toolu_"), name: "json", input: answer.json?.value }]
      : [{ type: "text", text: answer.text }];
    return {
      id: fixtureId("msg_"),
      type: "message",
      role: "assistant",
      model: request.model,
      content,
      stop_reason: asTool ? "tool_use" : "end_turn",
      stop_sequence: null,
      // Anthropic's input_tokens excludes cache reads and writes: they have their own fields.
      usage: {
        input_tokens: Math.max(0, answer.inputTokens - answer.cachedInputTokens - answer.cacheWriteTokens),
        cache_creation_input_tokens: answer.cacheWriteTokens,
        cache_read_input_tokens: answer.cachedInputTokens,
        output_tokens: answer.outputTokens,
      },
    };
  },
  encodeError(status, message) {
    const type = ANTHROPIC_ERROR_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
    return { type: "error", error: { type, message } };
  },
};

const GOOGLE_ERROR_STATUSES: Readonly<Record<number, string>> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

/** Google Gemini (`POST /v1beta/models/{model}:generateContent`); JSON via `generationConfig.responseSchema`. */
export const googleFormat: WireFormat = {
  provider: "google",
  decode(body, modelFromPath) {
    const { messages } = splitRoles(arrayAt(body, "contents"), "model");
    const systemInstruction = recordAt(body, "systemInstruction");
    const system = systemInstruction === undefined ? undefined : textOf(systemInstruction["parts"]);
    const generationConfig = recordAt(body, "generationConfig");
    const wantsJson = generationConfig?.["responseMimeType"] === "application/json";
    const schema = recordAt(generationConfig, "responseSchema") ?? recordAt(generationConfig, "responseJsonSchema");
    const jsonSchema = schema ?? (wantsJson ? {} : undefined);
    return { model: modelFromPath ?? "", system, messages, jsonSchema, jsonViaTool: false };
  },
  encodeAnswer(request, answer) {
    return {
      candidates: [{ content: { role: "model", parts: [{ text: answer.text }] }, finishReason: "STOP", index: 0 }],
      usageMetadata: {
        promptTokenCount: answer.inputTokens,
        candidatesTokenCount: answer.outputTokens,
        totalTokenCount: answer.inputTokens + answer.outputTokens,
        // Gemini counts context-cache reads inside promptTokenCount.
        ...(answer.cachedInputTokens === 0 ? {} : { cachedContentTokenCount: answer.cachedInputTokens }),
      },
      modelVersion: request.model,
      responseId: fixtureId(""),
    };
  },
  encodeError(status, message) {
    const errorStatus = GOOGLE_ERROR_STATUSES[status] ?? (status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION");
    return { error: { code: status, message, status: errorStatus } };
  },
};

export interface Route {
  readonly format: WireFormat;
  readonly modelFromPath: string | undefined;
}

const GOOGLE_PATH = /^\/v1beta\/models\/(.+):generateContent$/;

/** Finds the wire format of a request line; undefined for routes the fixture does not serve. */
export function matchRoute(method: string | undefined, pathname: string): Route | undefined {
  if (method !== "POST") return undefined;
  if (pathname === "/v1/chat/completions") return { format: openaiChatFormat, modelFromPath: undefined };
  if (pathname === "/v1/responses") return { format: openaiResponsesFormat, modelFromPath: undefined };
  if (pathname === "/v1/messages") return { format: anthropicFormat, modelFromPath: undefined };
  const google = GOOGLE_PATH.exec(pathname);
  if (google?.[1] !== undefined) return { format: googleFormat, modelFromPath: decodeURIComponent(google[1]) };
  return undefined;
}
