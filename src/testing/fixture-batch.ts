/**
 * The fixture server's batch APIs (decision 0019), in the providers' documented wire formats:
 * OpenAI (`POST /v1/files` multipart JSONL upload, `POST /v1/batches`, `GET /v1/batches/{id}`,
 * `GET /v1/files/{id}/content`) and Anthropic Message Batches (`POST /v1/messages/batches`,
 * `GET /v1/messages/batches/{id}`, `GET /v1/messages/batches/{id}/results`). Each request of a batch is answered by
 * the server's normal handler when the batch ends (so the handler's error replies become failed requests); a batch
 * can stay in progress for some polls, be held in progress until released, have requests expire, or (OpenAI) fail
 * whole at validation. Usage is counted as the synchronous endpoints count it (fixture-usage.ts): the server's
 * `countTokens`, and its `promptCache` simulation, which sees a batch's requests in order as they are answered (the
 * providers apply prompt caching to batch requests too, best effort: decision 0019).
 */
import type { FixturePromptCache } from "./fixture-prompt-cache.js";
import { answerUsage, observePromptCache, type ReplyUsage, type TokenCounter } from "./fixture-usage.js";
import {
  anthropicFormat,
  type DecodedRequest,
  type FixtureMessage,
  type FixtureProvider,
  isRecord,
  openaiChatFormat,
  type WireFormat,
} from "./fixture-wire-formats.js";

/**
 * A batch request as the handler sees it: the shape of fixture-server.ts's `FixtureRequest`, repeated here so that
 * this file does not import the server that imports it.
 */
interface FixtureRequest {
  provider: FixtureProvider;
  model: string;
  system: string | undefined;
  messages: FixtureMessage[];
  jsonSchema: Record<string, unknown> | undefined;
  headers: Record<string, string>;
  body: unknown;
}

/** The replies of fixture-server.ts's `FixtureReply` a batch can give (every one of them). */
type FixtureReply =
  | ({ kind: "text"; text: string } & ReplyUsage)
  | ({ kind: "json"; value: unknown } & ReplyUsage)
  | { kind: "error"; status: number; body?: unknown }
  | { kind: "malformed" }
  | { kind: "hang" };

/** fixture-server.ts's `FixtureHandler`. */
type FixtureHandler = (request: FixtureRequest, callIndex: number) => FixtureReply | Promise<FixtureReply>;

export interface FixtureBatchOptions {
  /** Polls a batch answers as in progress before it ends (default 0: it ends at its first poll). */
  pendingPolls?: number;
  /** Requests that expire (the 24 h window ran out) instead of being answered. */
  expire?: (request: FixtureRequest, customId: string) => boolean;
  /** OpenAI only: batches fail whole at validation with this message (status `failed`, `errors.data`, no files). */
  failValidation?: () => string | undefined;
}

/** One batch as the fixture holds it. */
export interface FixtureBatchInfo {
  readonly id: string;
  readonly provider: "openai" | "anthropic";
  readonly customIds: readonly string[];
  /** Lower-cased headers of the create request (to check `anthropic-version`, the key header). */
  readonly headers: Readonly<Record<string, string>>;
  readonly polls: number;
  readonly ended: boolean;
}

/** What a test sees and steers of the batch APIs. */
export interface FixtureBatches {
  /** Batches created so far (both providers). */
  created(): number;
  /** The batches, oldest first. */
  list(): readonly FixtureBatchInfo[];
  /** While held, every batch stays in progress (a run waits on it); release with `hold(false)`. */
  hold(held: boolean): void;
}

interface StoredRequest {
  readonly customId: string;
  readonly format: WireFormat;
  readonly body: Record<string, unknown>;
}

interface Batch {
  readonly id: string;
  readonly provider: "openai" | "anthropic";
  readonly requests: readonly StoredRequest[];
  readonly headers: Record<string, string>;
  readonly createdAt: number;
  readonly inputFileId?: string;
  polls: number;
  /** Set while the batch's requests are being answered: a poll meanwhile waits for it (each is answered once). */
  ending?: Promise<void>;
  ended?: {
    readonly status: string;
    readonly lines: readonly unknown[];
    readonly errorLines: readonly unknown[];
    readonly counts: Record<string, number>;
    readonly failure?: string;
  };
}

export interface BatchFixtureContext {
  readonly handler: FixtureHandler;
  readonly options: FixtureBatchOptions;
  /** Counts a request that reached the handler (and records it); returns its call index. */
  readonly onRequest: (request: FixtureRequest) => number;
  /** The server's prompt-cache simulation (undefined: off), shared with its synchronous endpoints. */
  readonly promptCache?: FixturePromptCache | undefined;
  /** The server's `countTokens` (undefined: four characters a token). */
  readonly countTokens?: TokenCounter;
}

export interface BatchAnswer {
  readonly status: number;
  readonly text: string;
  readonly contentType: string;
}

/** The batch APIs of one fixture server. */
export class BatchFixture implements FixtureBatches {
  private readonly batches = new Map<string, Batch>();
  private readonly files = new Map<string, string>();
  private held = false;
  private sequence = 0;

  constructor(private readonly context: BatchFixtureContext) {}

  created(): number {
    return this.batches.size;
  }

  list(): readonly FixtureBatchInfo[] {
    return [...this.batches.values()].map((batch) => ({
      id: batch.id,
      provider: batch.provider,
      customIds: batch.requests.map((request) => request.customId),
      headers: batch.headers,
      polls: batch.polls,
      ended: batch.ended !== undefined,
    }));
  }

  hold(held: boolean): void {
    this.held = held;
  }

  /** Answers a batch route; undefined when the request is not one (the chat routes go on as before). */
  async answer(
    method: string | undefined,
    pathname: string,
    bodyText: string,
    headers: Record<string, string>,
  ): Promise<BatchAnswer | undefined> {
    if (method === "POST" && pathname === "/v1/files") return this.upload(bodyText, headers);
    if (method === "POST" && pathname === "/v1/batches") return this.createOpenai(bodyText, headers);
    if (method === "POST" && pathname === "/v1/messages/batches") return this.createAnthropic(bodyText, headers);
    if (method !== "GET") return undefined;
    const file = /^\/v1\/files\/([^/]+)\/content$/.exec(pathname)?.[1];
    if (file !== undefined) return this.fileContent(decodeURIComponent(file));
    const openai = /^\/v1\/batches\/([^/]+)$/.exec(pathname)?.[1];
    if (openai !== undefined) return this.pollOpenai(decodeURIComponent(openai));
    const results = /^\/v1\/messages\/batches\/([^/]+)\/results$/.exec(pathname)?.[1];
    if (results !== undefined) return this.anthropicResults(decodeURIComponent(results));
    const anthropic = /^\/v1\/messages\/batches\/([^/]+)$/.exec(pathname)?.[1];
    if (anthropic !== undefined) return this.pollAnthropic(decodeURIComponent(anthropic), headers);
    return undefined;
  }

  private nextId(prefix: string): string {
    this.sequence += 1;
    return `${prefix}${this.sequence.toString(36)}${Math.random().toString(36).slice(2, 10)}`;
  }

  /** `POST /v1/files`: multipart with `purpose` and `file` (the JSONL). */
  private upload(bodyText: string, headers: Record<string, string>): BatchAnswer {
    const boundary = /boundary=("?)([^";]+)\1/.exec(headers["content-type"] ?? "")?.[2];
    if (boundary === undefined) return openaiError(400, "Expected a multipart/form-data upload.");
    let content: string | undefined;
    let purpose: string | undefined;
    for (const part of bodyText.split(`--${boundary}`)) {
      const split = part.indexOf("\r\n\r\n");
      if (split < 0) continue;
      const head = part.slice(0, split);
      const value = part.slice(split + 4).replace(/\r\n$/, "");
      if (/name="file"/.test(head)) content = value;
      else if (/name="purpose"/.test(head)) purpose = value.trim();
    }
    if (content === undefined || purpose !== "batch")
      return openaiError(400, "A batch upload needs purpose=batch and a file part.");
    const id = this.nextId("file-");
    this.files.set(id, content);
    return json(200, {
      id,
      object: "file",
      bytes: Buffer.byteLength(content),
      created_at: Math.floor(Date.now() / 1000),
      filename: "batch.jsonl",
      purpose: "batch",
    });
  }

  private createOpenai(bodyText: string, headers: Record<string, string>): BatchAnswer {
    const body = parse(bodyText);
    const inputFileId = isRecord(body) && typeof body["input_file_id"] === "string" ? body["input_file_id"] : "";
    const content = this.files.get(inputFileId);
    if (content === undefined) return openaiError(404, `No such file: ${inputFileId}`);
    if (!isRecord(body) || body["endpoint"] !== "/v1/chat/completions" || body["completion_window"] !== "24h")
      return openaiError(400, "endpoint must be /v1/chat/completions and completion_window 24h.");
    const requests: StoredRequest[] = [];
    const models = new Set<string>();
    for (const line of content.split("\n")) {
      if (line.trim() === "") continue;
      const entry = parse(line);
      const requestBody = isRecord(entry) ? entry["body"] : undefined;
      if (!isRecord(entry) || typeof entry["custom_id"] !== "string" || !isRecord(requestBody))
        return openaiError(400, "Each line needs custom_id, method, url and body.");
      if (entry["url"] !== "/v1/chat/completions" || entry["method"] !== "POST")
        return openaiError(400, "Each line's url must be the batch's endpoint.");
      models.add(String(requestBody["model"]));
      requests.push({ customId: entry["custom_id"], format: openaiChatFormat, body: requestBody });
    }
    if (models.size > 1) return openaiError(400, "A batch file may hold requests for one model only.");
    if (new Set(requests.map((request) => request.customId)).size !== requests.length)
      return openaiError(400, "custom_id values must be unique within a batch.");
    const batch: Batch = {
      id: this.nextId("batch_"),
      provider: "openai",
      requests,
      headers,
      createdAt: Math.floor(Date.now() / 1000),
      inputFileId,
      polls: 0,
    };
    this.batches.set(batch.id, batch);
    return json(200, openaiBatchObject(batch, "validating"));
  }

  private async pollOpenai(id: string): Promise<BatchAnswer> {
    const batch = this.batches.get(id);
    if (batch === undefined || batch.provider !== "openai") return openaiError(404, `No such batch: ${id}`);
    await this.advance(batch);
    return json(200, openaiBatchObject(batch, batch.ended?.status ?? "in_progress"));
  }

  private fileContent(id: string): BatchAnswer {
    const stored = this.files.get(id);
    if (stored === undefined) return openaiError(404, `No such file: ${id}`);
    return { status: 200, text: stored, contentType: "application/octet-stream" };
  }

  private createAnthropic(bodyText: string, headers: Record<string, string>): BatchAnswer {
    const body = parse(bodyText);
    const list = isRecord(body) ? body["requests"] : undefined;
    if (!Array.isArray(list) || list.length === 0) return anthropicError(400, "requests: a non-empty list is required");
    const requests: StoredRequest[] = [];
    for (const entry of list) {
      const params = isRecord(entry) ? entry["params"] : undefined;
      if (!isRecord(entry) || typeof entry["custom_id"] !== "string" || !isRecord(params))
        return anthropicError(400, "each request needs custom_id and params");
      if (!/^[a-zA-Z0-9_-]{1,64}$/.test(entry["custom_id"]))
        return anthropicError(400, "custom_id must match ^[a-zA-Z0-9_-]{1,64}$");
      if (typeof params["max_tokens"] !== "number") return anthropicError(400, "params.max_tokens: Field required");
      requests.push({ customId: entry["custom_id"], format: anthropicFormat, body: params });
    }
    if (new Set(requests.map((request) => request.customId)).size !== requests.length)
      return anthropicError(400, "custom_id values must be unique within a batch");
    const batch: Batch = {
      id: this.nextId("msgbatch_"),
      provider: "anthropic",
      requests,
      headers,
      createdAt: Date.now(),
      polls: 0,
    };
    this.batches.set(batch.id, batch);
    return json(200, anthropicBatchObject(batch, headers));
  }

  private async pollAnthropic(id: string, headers: Record<string, string>): Promise<BatchAnswer> {
    const batch = this.batches.get(id);
    if (batch === undefined || batch.provider !== "anthropic") return anthropicError(404, `No such batch: ${id}`);
    await this.advance(batch);
    return json(200, anthropicBatchObject(batch, headers));
  }

  private anthropicResults(id: string): BatchAnswer {
    const batch = this.batches.get(id);
    if (batch === undefined || batch.provider !== "anthropic") return anthropicError(404, `No such batch: ${id}`);
    if (batch.ended === undefined) return anthropicError(400, "The batch has not ended: its results are not ready.");
    return { status: 200, text: jsonl(batch.ended.lines), contentType: "application/binary" };
  }

  /** Counts a poll; past `pendingPolls` (and when not held) the batch ends: every request is answered now. */
  private async advance(batch: Batch): Promise<void> {
    batch.polls += 1;
    if (batch.ending !== undefined) return batch.ending;
    if (batch.ended !== undefined || this.held || batch.polls <= (this.context.options.pendingPolls ?? 0)) return;
    batch.ending = this.end(batch);
    return batch.ending;
  }

  private async end(batch: Batch): Promise<void> {
    const failure = batch.provider === "openai" ? this.context.options.failValidation?.() : undefined;
    if (failure !== undefined) {
      batch.ended = { status: "failed", lines: [], errorLines: [], counts: {}, failure };
      return;
    }
    const lines: unknown[] = [];
    const errorLines: unknown[] = [];
    const counts: Record<string, number> = { succeeded: 0, errored: 0, expired: 0 };
    for (const stored of batch.requests) {
      const decoded = stored.format.decode(stored.body, undefined);
      const request = fixtureRequestOf(stored.format, decoded, batch.headers, stored.body);
      if (this.context.options.expire?.(request, stored.customId) === true) {
        counts["expired"] = (counts["expired"] ?? 0) + 1;
        if (batch.provider === "openai") errorLines.push(openaiExpiredLine(stored.customId));
        else lines.push({ custom_id: stored.customId, result: { type: "expired" } });
        continue;
      }
      const callIndex = this.context.onRequest(request);
      const reply = await runHandler(this.context.handler, request, callIndex);
      const encoded = encodeReply(stored.format, decoded, reply, this.usageOf(stored, decoded, reply));
      const ok = encoded.status < 400;
      counts[ok ? "succeeded" : "errored"] = (counts[ok ? "succeeded" : "errored"] ?? 0) + 1;
      if (batch.provider === "openai") {
        const line = {
          id: this.nextId("batch_req_"),
          custom_id: stored.customId,
          response: { status_code: encoded.status, request_id: this.nextId("req_"), body: encoded.body },
          error: null,
        };
        (ok ? lines : errorLines).push(line);
      } else {
        const error = isRecord(encoded.body) ? encoded.body : { type: "error", error: { type: "api_error" } };
        lines.push({
          custom_id: stored.customId,
          result: ok ? { type: "succeeded", message: encoded.body } : { type: "errored", error },
        });
      }
    }
    const status = batch.provider === "anthropic" ? "ended" : (counts["expired"] ?? 0) > 0 ? "expired" : "completed";
    batch.ended = { status, lines, errorLines, counts };
    if (batch.provider === "openai") {
      if (lines.length > 0) this.files.set(`${batch.id}-output`, jsonl(lines));
      if (errorLines.length > 0) this.files.set(`${batch.id}-errors`, jsonl(errorLines));
    }
  }

  /**
   * The usage of a request's text or JSON answer, as the synchronous endpoint counts it; the prompt-cache simulation
   * sees the request now, as it is answered (an error reply is not cached, as on the synchronous path).
   */
  private usageOf(
    stored: StoredRequest,
    decoded: DecodedRequest,
    reply: FixtureReply,
  ): (text: string) => ReturnType<typeof answerUsage> {
    const { promptCache, countTokens } = this.context;
    const replyUsage: ReplyUsage = reply.kind === "text" || reply.kind === "json" ? reply : {};
    const cache =
      reply.kind === "text" || reply.kind === "json"
        ? observePromptCache(promptCache, stored.format.provider, decoded, stored.body, replyUsage, countTokens)
        : { cachedInputTokens: 0, cacheWriteTokens: 0 };
    return (text) => answerUsage(decoded, replyUsage, text, cache, countTokens);
  }
}

function openaiBatchObject(batch: Batch, status: string): Record<string, unknown> {
  const ended = batch.ended;
  const total = batch.requests.length;
  return {
    id: batch.id,
    object: "batch",
    endpoint: "/v1/chat/completions",
    errors:
      ended?.failure === undefined
        ? null
        : { object: "list", data: [{ code: "invalid_request", message: ended.failure, param: null, line: null }] },
    input_file_id: batch.inputFileId ?? null,
    completion_window: "24h",
    status,
    output_file_id: ended !== undefined && ended.lines.length > 0 ? `${batch.id}-output` : null,
    error_file_id: ended !== undefined && ended.errorLines.length > 0 ? `${batch.id}-errors` : null,
    created_at: batch.createdAt,
    expires_at: batch.createdAt + 86_400,
    completed_at: ended === undefined ? null : Math.floor(Date.now() / 1000),
    request_counts: {
      total,
      completed: ended?.counts["succeeded"] ?? 0,
      failed: ended === undefined ? 0 : total - (ended.counts["succeeded"] ?? 0),
    },
    metadata: null,
  };
}

function anthropicBatchObject(batch: Batch, headers: Record<string, string>): Record<string, unknown> {
  const ended = batch.ended;
  const host = headers["host"] ?? "127.0.0.1";
  return {
    id: batch.id,
    type: "message_batch",
    processing_status: ended === undefined ? "in_progress" : "ended",
    request_counts: {
      processing: ended === undefined ? batch.requests.length : 0,
      succeeded: ended?.counts["succeeded"] ?? 0,
      errored: ended?.counts["errored"] ?? 0,
      canceled: 0,
      expired: ended?.counts["expired"] ?? 0,
    },
    ended_at: ended === undefined ? null : new Date().toISOString(),
    created_at: new Date(batch.createdAt).toISOString(),
    expires_at: new Date(batch.createdAt + 86_400_000).toISOString(),
    archived_at: null,
    cancel_initiated_at: null,
    results_url: ended === undefined ? null : `http://${host}/v1/messages/batches/${batch.id}/results`,
  };
}

function openaiExpiredLine(customId: string): unknown {
  return {
    id: `batch_req_${customId}`,
    custom_id: customId,
    response: null,
    error: {
      code: "batch_expired",
      message: "This request could not be executed before the completion window expired.",
    },
  };
}

/** The handler's reply; a handler that throws is answered 500 (the sync endpoints and batches share this). */
export async function runHandler(
  handler: FixtureHandler,
  request: FixtureRequest,
  callIndex: number,
): Promise<FixtureReply> {
  try {
    return await handler(request, callIndex);
  } catch (error) {
    return { kind: "error", status: 500, body: { error: { message: `fixture handler threw: ${String(error)}` } } };
  }
}

/**
 * A reply encoded as the synchronous endpoint would answer it (a hang or malformed body counts as a 500); `usage`
 * counts a text or JSON answer's tokens.
 */
function encodeReply(
  format: WireFormat,
  decoded: DecodedRequest,
  reply: FixtureReply,
  usage: (text: string) => ReturnType<typeof answerUsage>,
): { status: number; body: unknown } {
  switch (reply.kind) {
    case "error":
      return {
        status: reply.status,
        body: reply.body ?? format.encodeError(reply.status, `Fixture error ${reply.status}`),
      };
    case "hang":
    case "malformed":
      return { status: 500, body: format.encodeError(500, "The fixture could not answer this request.") };
    case "text":
    case "json": {
      const text = reply.kind === "text" ? reply.text : JSON.stringify(reply.value);
      return {
        status: 200,
        body: format.encodeAnswer(decoded, {
          text,
          json: reply.kind === "json" ? { value: reply.value } : undefined,
          ...usage(text),
        }),
      };
    }
  }
}

function fixtureRequestOf(
  format: WireFormat,
  decoded: DecodedRequest,
  headers: Record<string, string>,
  body: unknown,
): FixtureRequest {
  return {
    provider: format.provider,
    model: decoded.model,
    system: decoded.system,
    messages: decoded.messages,
    jsonSchema: decoded.jsonSchema,
    headers,
    body,
  };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function jsonl(lines: readonly unknown[]): string {
  return `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`;
}

function json(status: number, body: unknown): BatchAnswer {
  return { status, text: JSON.stringify(body), contentType: "application/json" };
}

function openaiError(status: number, message: string): BatchAnswer {
  return json(status, openaiChatFormat.encodeError(status, message));
}

function anthropicError(status: number, message: string): BatchAnswer {
  return json(status, anthropicFormat.encodeError(status, message));
}
