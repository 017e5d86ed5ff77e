/**
 * A local HTTP server that speaks the providers' real wire formats (OpenAI chat completions and Responses,
 * Anthropic messages, Google generateContent; non-streaming), so adapters are tested through the real AI SDK
 * HTTP stack. A handler decides each answer; the server encodes it as the provider would.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { BatchFixture, type FixtureBatches, type FixtureBatchOptions, runHandler } from "./fixture-batch.js";
import { answerModeration, type ModerationHandler } from "./fixture-moderation.js";
import {
  createFixturePromptCache,
  type FixturePromptCache,
  type FixturePromptCacheOption,
  type PromptCacheUsage,
} from "./fixture-prompt-cache.js";
import { answerUsage, estimateTokens, observePromptCache } from "./fixture-usage.js";
import {
  type AnswerToEncode,
  type DecodedRequest,
  type FixtureMessage,
  type FixtureProvider,
  isRecord,
  matchRoute,
  type Route,
} from "./fixture-wire-formats.js";

/** One request as the handler sees it, whatever the provider. */
export interface FixtureRequest {
  provider: FixtureProvider;
  model: string;
  system: string | undefined;
  messages: FixtureMessage[];
  /** The schema of a structured-output request (as sent: Google's is converted to OpenAPI); `{}` for plain JSON mode. */
  jsonSchema: Record<string, unknown> | undefined;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** The parsed request body, as sent. */
  body: unknown;
}

/**
 * The usage a `text` or `json` reply reports; what is left unset is estimated (about four characters a token).
 * `cachedInputTokens` and `cacheWriteTokens` are part of `inputTokens` and are encoded as each provider reports prompt
 * caching (OpenAI `prompt_tokens_details.cached_tokens`, Responses `input_tokens_details.cached_tokens`, Anthropic
 * `cache_read_input_tokens` / `cache_creation_input_tokens` beside an `input_tokens` without them, Google
 * `cachedContentTokenCount`). Left unset they are 0.
 */
export interface FixtureUsage {
  inputTokens?: number;
  outputTokens?: number;
  cachedInputTokens?: number;
  cacheWriteTokens?: number;
}

export type FixtureReply =
  | ({ kind: "text"; text: string } & FixtureUsage)
  /** A structured answer, encoded as the provider encodes a JSON-schema answer. */
  | ({ kind: "json"; value: unknown } & FixtureUsage)
  /** An HTTP error in the provider's error shape (or `body` as given), e.g. 429 with `{"retry-after": "1"}`. */
  | { kind: "error"; status: number; body?: unknown; headers?: Record<string, string> }
  /** 200 with a body that is not valid JSON. */
  | { kind: "malformed" }
  /** Never answers; the connection is released when the client gives up or the server closes. */
  | { kind: "hang" };

/** Decides the answer to one request; `callIndex` counts requests that reached the handler, from 0. */
export type FixtureHandler = (request: FixtureRequest, callIndex: number) => FixtureReply | Promise<FixtureReply>;

export interface FixtureServerOptions {
  handler: FixtureHandler;
  /** Delay before every handler answer (errors included), in milliseconds. */
  latencyMs?: number;
  /** Port to listen on (default 0: any free port). */
  port?: number;
  /** Keep every request in `requests` (default true; turn off for long benchmarks). */
  record?: boolean;
  /**
   * Answers `POST /v1/embeddings` (OpenAI's wire format): one vector per input text. Default:
   * `hashedEmbedding` (character trigrams hashed into 64 dimensions, so similar texts get similar vectors).
   */
  embeddings?: (input: string[], model: string) => number[][] | Promise<number[][]>;
  /** Answers `POST /v1/moderations` (OpenAI's moderation endpoint, fixture-moderation.ts). Default: nothing flagged. */
  moderation?: ModerationHandler;
  /**
   * A provider's rate limit: chat requests are counted per wall-clock second (`Math.floor(Date.now() / 1000)`), and
   * each one above `perSecond` in its second is answered 429 in the provider's error shape, with `retry-after`
   * (`retryAfterSeconds`, default 1), without reaching the handler. `traffic()` reports the counts.
   */
  rateLimit?: { perSecond: number; retryAfterSeconds?: number };
  /** The batch APIs (fixture-batch.ts): polls before a batch ends, requests that expire. Always served. */
  batch?: FixtureBatchOptions;
  /**
   * Simulates the providers' prompt caches (`fixture-prompt-cache.ts`): OpenAI and Google report a repeated prefix of
   * at least `minimumTokens` (default 1,024) as cached, Anthropic a prefix marked `cache_control` as written, then
   * read. Fills a reply's `cachedInputTokens` / `cacheWriteTokens` when the handler leaves them unset. Default off.
   */
  promptCache?: FixturePromptCacheOption;
  /**
   * Counts the tokens of a text for the usage of answers a handler leaves unset, e.g. with OpenAI's tokenizer for
   * estimate checks: input as OpenAI counts a chat request (every message's tokens + 3, the system prompt as a
   * message, + 3 to prime the reply, + the structured-output schema as JSON), output the answer's. Default: characters / 4.
   */
  countTokens?: (text: string) => number;
}

/** Chat requests the server saw, for a `rateLimit` (counted with or without one). */
export interface FixtureTraffic {
  /** Requests that arrived in each wall-clock second (refused ones included), by `Math.floor(Date.now() / 1000)`. */
  readonly perSecond: ReadonlyMap<number, number>;
  /** Requests answered 429 because their second was over `rateLimit.perSecond`. */
  readonly refused: number;
}

export interface FixtureServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Base URL for @ai-sdk/openai and @ai-sdk/openai-compatible (`<url>/v1`). */
  openaiBaseURL: string;
  /** Base URL for @ai-sdk/anthropic (`<url>/v1`). */
  anthropicBaseURL: string;
  /** Base URL for @ai-sdk/google (`<url>/v1beta`). */
  googleBaseURL: string;
  /** Requests that reached the handler, in arrival order (empty when `record` is false). */
  requests: FixtureRequest[];
  /** Number of requests that reached the handler. */
  callCount(): number;
  /** Chat requests per wall-clock second and how many `rateLimit` refused (a snapshot). */
  traffic(): FixtureTraffic;
  /** The OpenAI and Anthropic batch APIs: batches created, listed, held in progress (fixture-batch.ts). */
  batches: FixtureBatches;
  /** Stops listening and ends every connection, hanging and keep-alive ones included. Safe to call twice. */
  close(): Promise<void>;
}

const MALFORMED_BODY = '{"id": "fixture-malformed", "choices": [';
const KEEP_ALIVE_TIMEOUT_MS = 30_000;

interface ServerState {
  readonly options: FixtureServerOptions;
  readonly requests: FixtureRequest[];
  readonly timers: Set<NodeJS.Timeout>;
  readonly perSecond: Map<number, number>;
  readonly promptCache: FixturePromptCache | undefined;
  readonly batches: BatchFixture;
  refused: number;
  calls: number;
  closed: boolean;
}

/** Starts a fixture server on 127.0.0.1 (port 0 by default) and resolves once it listens. */
export async function startFixtureServer(options: FixtureServerOptions): Promise<FixtureServer> {
  const promptCache = createFixturePromptCache(options.promptCache, options.countTokens);
  const state: ServerState = {
    options,
    requests: [],
    timers: new Set(),
    perSecond: new Map(),
    promptCache,
    // A batch's requests reach the handler (counted and recorded) when the batch ends, and are counted as the
    // synchronous ones are: the same prompt-cache simulation and token counting.
    batches: new BatchFixture({
      handler: options.handler,
      options: options.batch ?? {},
      promptCache,
      countTokens: options.countTokens,
      onRequest: (request) => {
        if (options.record ?? true) state.requests.push(request);
        state.calls += 1;
        return state.calls - 1;
      },
    }),
    refused: 0,
    calls: 0,
    closed: false,
  };
  const server = createServer((incoming, outgoing) => {
    handleRequest(state, incoming, outgoing).catch((error: unknown) => {
      sendJson(outgoing, 500, { error: { message: `fixture server failed: ${String(error)}` } });
    });
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    openaiBaseURL: `${url}/v1`,
    anthropicBaseURL: `${url}/v1`,
    googleBaseURL: `${url}/v1beta`,
    requests: state.requests,
    callCount: () => state.calls,
    traffic: () => ({ perSecond: new Map(state.perSecond), refused: state.refused }),
    batches: state.batches,
    close: async () => {
      if (state.closed) return;
      state.closed = true;
      for (const timer of state.timers) clearTimeout(timer);
      state.timers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

async function handleRequest(state: ServerState, incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
  const pathname = (incoming.url ?? "/").split("?")[0] ?? "/";
  const route = matchRoute(incoming.method, pathname);
  const bodyText = await readBody(incoming);
  const batchAnswer = await state.batches.answer(incoming.method, pathname, bodyText, flattenHeaders(incoming.headers));
  if (batchAnswer !== undefined) {
    sendText(outgoing, batchAnswer.status, batchAnswer.text, { "content-type": batchAnswer.contentType });
    return;
  }
  if (incoming.method === "POST" && pathname.endsWith("/moderations")) {
    state.calls += 1;
    const answer = await answerModeration(state.options.moderation, parseJson(bodyText), state.calls - 1);
    sendJson(outgoing, answer.status, answer.body, { ...answer.headers });
    return;
  }
  if (incoming.method === "POST" && pathname.endsWith("/embeddings")) {
    await answerEmbeddings(state, bodyText, outgoing);
    return;
  }
  if (route === undefined) {
    sendJson(outgoing, 404, {
      error: { message: `No fixture route for ${incoming.method ?? "?"} ${pathname}`, type: "not_found_error" },
    });
    return;
  }
  const body = parseJson(bodyText);
  if (!isRecord(body)) {
    sendJson(outgoing, 400, route.format.encodeError(400, "The request body is not a valid JSON object."));
    return;
  }
  const decoded = route.format.decode(body, route.modelFromPath);
  if (overRateLimit(state)) {
    const retryAfter = String(state.options.rateLimit?.retryAfterSeconds ?? 1);
    sendJson(outgoing, 429, route.format.encodeError(429, "Rate limit reached (fixture)."), {
      "retry-after": retryAfter,
    });
    return;
  }
  const request = toFixtureRequest(route, decoded, incoming.headers, body);
  const callIndex = state.calls;
  state.calls += 1;
  if (state.options.record ?? true) state.requests.push(request);
  const reply = await runHandler(state.options.handler, request, callIndex);
  if (reply.kind === "hang") return;
  const promptCache = simulatePromptCache(state, route, decoded, body, reply);
  const latencyMs = state.options.latencyMs ?? 0;
  if (latencyMs <= 0) {
    writeReply(outgoing, route, decoded, reply, promptCache, state.options.countTokens);
    return;
  }
  const timer = setTimeout(() => {
    state.timers.delete(timer);
    writeReply(outgoing, route, decoded, reply, promptCache, state.options.countTokens);
  }, latencyMs);
  state.timers.add(timer);
}

/** Counts a chat request in its second; true when `rateLimit` refuses it. */
function overRateLimit(state: ServerState): boolean {
  const second = Math.floor(Date.now() / 1000);
  const count = (state.perSecond.get(second) ?? 0) + 1;
  state.perSecond.set(second, count);
  const limit = state.options.rateLimit?.perSecond;
  if (limit === undefined || count <= limit) return false;
  state.refused += 1;
  return true;
}

function toFixtureRequest(
  route: Route,
  decoded: DecodedRequest,
  headers: IncomingHttpHeaders,
  body: unknown,
): FixtureRequest {
  return {
    provider: route.format.provider,
    model: decoded.model,
    system: decoded.system,
    messages: decoded.messages,
    jsonSchema: decoded.jsonSchema,
    headers: flattenHeaders(headers),
    body,
  };
}

/** The `promptCache` simulation's tokens for a text or JSON answer (it remembers the prompt); 0 when it is off. */
function simulatePromptCache(
  state: ServerState,
  route: Route,
  decoded: DecodedRequest,
  body: Record<string, unknown>,
  reply: FixtureReply,
): PromptCacheUsage {
  if (reply.kind !== "text" && reply.kind !== "json") return { cachedInputTokens: 0, cacheWriteTokens: 0 };
  return observePromptCache(state.promptCache, route.format.provider, decoded, body, reply, state.options.countTokens);
}

function writeReply(
  outgoing: ServerResponse,
  route: Route,
  decoded: DecodedRequest,
  reply: Exclude<FixtureReply, { kind: "hang" }>,
  promptCache: PromptCacheUsage,
  countTokens?: (text: string) => number,
): void {
  switch (reply.kind) {
    case "error": {
      const message = `Fixture error ${reply.status}`;
      sendJson(outgoing, reply.status, reply.body ?? route.format.encodeError(reply.status, message), reply.headers);
      return;
    }
    case "malformed":
      sendText(outgoing, 200, MALFORMED_BODY, {});
      return;
    case "text":
    case "json": {
      const text = reply.kind === "text" ? reply.text : JSON.stringify(reply.value);
      // Prompt-cache tokens the reply leaves unset come from the `promptCache` simulation (0 when it is off).
      const answer: AnswerToEncode = {
        text,
        json: reply.kind === "json" ? { value: reply.value } : undefined,
        ...answerUsage(decoded, reply, text, promptCache, countTokens),
      };
      sendJson(outgoing, 200, route.format.encodeAnswer(decoded, answer));
    }
  }
}

/** `POST /v1/embeddings`: `{model, input: string | string[]}` → `{object: "list", data: [{embedding, index}], usage}`. */
async function answerEmbeddings(state: ServerState, bodyText: string, outgoing: ServerResponse): Promise<void> {
  const body = parseJson(bodyText);
  const rawInput = isRecord(body) ? body["input"] : undefined;
  const input = typeof rawInput === "string" ? [rawInput] : Array.isArray(rawInput) ? rawInput.map(String) : undefined;
  if (!isRecord(body) || input === undefined) {
    sendJson(outgoing, 400, {
      error: { message: "embeddings need {model, input}", type: "invalid_request_error", param: null, code: null },
    });
    return;
  }
  const model = typeof body["model"] === "string" ? body["model"] : "";
  state.calls += 1;
  let vectors: number[][];
  try {
    vectors = await (state.options.embeddings ?? ((texts: string[]) => texts.map((text) => hashedEmbedding(text))))(
      input,
      model,
    );
  } catch (error) {
    sendJson(outgoing, 500, {
      error: { message: `fixture embeddings threw: ${String(error)}`, type: "server_error", param: null, code: null },
    });
    return;
  }
  const tokens = input.reduce((total, text) => total + estimateTokens(text), 0);
  sendJson(outgoing, 200, {
    object: "list",
    model,
    data: vectors.map((embedding, index) => ({ object: "embedding", index, embedding })),
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

/** A deterministic embedding: character trigrams of the lower-cased text hashed into `dimensions` counts, L2-normalised. */
export function hashedEmbedding(text: string, dimensions = 64): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const normalised = ` ${text.toLowerCase()} `;
  for (let index = 0; index + 3 <= normalised.length; index += 1) {
    let hash = 2166136261;
    for (const char of normalised.slice(index, index + 3)) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619);
    const slot = (hash >>> 0) % dimensions;
    vector[slot] = (vector[slot] ?? 0) + 1;
  }
  const norm = Math.sqrt(vector.reduce((total, value) => total + value * value, 0)) || 1;
  return vector.map((value) => value / norm);
}

function sendJson(outgoing: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendText(outgoing, status, JSON.stringify(body), headers);
}

function sendText(outgoing: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  if (outgoing.headersSent || outgoing.destroyed) return;
  outgoing.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  outgoing.end(text);
}

function readBody(incoming: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    incoming.on("error", reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}
