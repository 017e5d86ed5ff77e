import { MedsafetyError, ProviderError, type Usage } from "../core/index.js";
import type { CallOptions, ChatModel, ChatRequest, ChatResponse } from "../providers/index.js";

/**
 * One answer of a {@link MockChatModel}: a text, a full or partial response (missing fields take the model's
 * defaults), or an error, which the call throws (use {@link mockErrors} for the project's provider failures).
 */
export type MockReply = string | (Partial<ChatResponse> & { readonly text: string }) | Error;

/** One call the mock received, in call order. */
export interface MockCall {
  /** 0 for the first call. */
  readonly index: number;
  readonly request: ChatRequest;
  readonly options: CallOptions;
}

/** Decides the answer to one call from its request (and its index, options and signal). */
export type MockReplyFunction = (request: ChatRequest, call: MockCall) => MockReply | Promise<MockReply>;

/**
 * What a {@link MockChatModel} answers: one reply for every call, an array of replies (one per call, in order;
 * a call past the end fails with a clear error), or a function of the request.
 */
export type MockChatModelReply = MockReply | readonly MockReply[] | MockReplyFunction;

export interface MockChatModelOptions {
  /** Default "mock:model". */
  readonly spec?: string;
  /** Usage of replies that do not set it (default 1 input token, 1 output token). */
  readonly usage?: Usage;
  /** Latency of replies that do not set it (default 0). */
  readonly latencyMs?: number;
  /** Finish reason of replies that do not set it (default "stop"). */
  readonly finishReason?: string;
  /**
   * Whether an abort of the call's signal ends a call in flight at once with `cancelled` (default true, as the real
   * adapters do). False: the call settles on its own, like a request already on the wire that ignores the abort.
   */
  readonly abortable?: boolean;
}

const DEFAULT_USAGE: Usage = { inputTokens: 1, outputTokens: 1 };

/**
 * A scripted `ChatModel` for tests: answers from `reply`, records every call (`calls`, `requests`), counts
 * calls in flight (`inFlight`, `maxInFlight`) and closes (`closeCount`). A call whose signal is aborted before it
 * starts, or (unless `abortable: false`) while a reply function is still working, fails with
 * `MedsafetyError("cancelled")` as real adapters do.
 */
export class MockChatModel implements ChatModel {
  readonly spec: string;
  readonly calls: MockCall[] = [];
  /** Calls started and not yet settled. */
  inFlight = 0;
  /** The most calls that were in flight at once. */
  maxInFlight = 0;
  closeCount = 0;
  readonly #reply: MockChatModelReply;
  readonly #defaults: { usage: Usage; latencyMs: number; finishReason: string };
  readonly #abortable: boolean;

  constructor(reply: MockChatModelReply, options: MockChatModelOptions = {}) {
    this.#reply = reply;
    this.#abortable = options.abortable ?? true;
    this.spec = options.spec ?? "mock:model";
    this.#defaults = {
      usage: options.usage ?? DEFAULT_USAGE,
      latencyMs: options.latencyMs ?? 0,
      finishReason: options.finishReason ?? "stop",
    };
  }

  /** The requests received, in call order. */
  get requests(): ChatRequest[] {
    return this.calls.map((call) => call.request);
  }

  get callCount(): number {
    return this.calls.length;
  }

  async generate(request: ChatRequest, options: CallOptions = {}): Promise<ChatResponse> {
    const call: MockCall = { index: this.calls.length, request, options };
    this.calls.push(call);
    throwIfAborted(this.spec, options.signal);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const pending = this.#replyTo(call);
      const reply = await (this.#abortable ? untilAborted(this.spec, pending, options.signal) : pending);
      if (reply instanceof Error) throw reply;
      return this.#response(reply);
    } finally {
      this.inFlight -= 1;
    }
  }

  async close(): Promise<void> {
    this.closeCount += 1;
  }

  #replyTo(call: MockCall): MockReply | Promise<MockReply> {
    const reply = this.#reply;
    if (typeof reply === "function") return reply(call.request, call);
    if (!Array.isArray(reply)) return reply as MockReply;
    const next = (reply as readonly MockReply[])[call.index];
    if (next !== undefined) return next;
    throw new Error(
      `MockChatModel ${this.spec}: call ${call.index + 1} has no reply (the script holds ${reply.length}); add replies or pass a function`,
    );
  }

  /** A complete response is returned as it is (the same object); anything less is completed from the defaults. */
  #response(reply: Exclude<MockReply, Error>): ChatResponse {
    if (typeof reply === "string") return { ...this.#defaults, text: reply, cached: false };
    if (isComplete(reply)) return reply;
    return { ...this.#defaults, cached: false, ...reply };
  }
}

function isComplete(reply: Partial<ChatResponse>): reply is ChatResponse {
  return (
    reply.text !== undefined &&
    reply.usage !== undefined &&
    reply.finishReason !== undefined &&
    reply.latencyMs !== undefined &&
    reply.cached !== undefined
  );
}

function cancelled(spec: string, signal: AbortSignal | undefined): MedsafetyError {
  return new MedsafetyError("cancelled", `The call to ${spec} was cancelled.`, { cause: signal?.reason });
}

function throwIfAborted(spec: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw cancelled(spec, signal);
}

/** Settles with `reply`, or rejects with `cancelled` as soon as `signal` aborts. */
function untilAborted<T>(spec: string, reply: T | Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined || !(reply instanceof Promise)) return Promise.resolve(reply);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(cancelled(spec, signal));
    signal.addEventListener("abort", onAbort, { once: true });
    reply.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Provider failures from the project's error vocabulary, as the real adapters raise them. */
export const mockErrors = {
  /** An HTTP error status (retryable for 408, 409, 429, 5xx), with the server's retry-after when given. */
  http: (statusCode: number, retryAfterMs?: number): ProviderError =>
    new ProviderError("provider_http", `The provider answered HTTP ${statusCode}.`, {
      statusCode,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    }),
  /** 429 with retry-after (default 1 s). */
  rateLimited: (retryAfterMs = 1_000): ProviderError => mockErrors.http(429, retryAfterMs),
  /** 401: a missing or wrong API key (not retryable). */
  auth: (): ProviderError =>
    new ProviderError("provider_auth", "The provider refused the API key (HTTP 401).", { statusCode: 401 }),
  /** The call took longer than `timeoutMs` (retryable). */
  timeout: (timeoutMs = 1_000): ProviderError =>
    new ProviderError("provider_timeout", `No answer within timeoutMs ${timeoutMs} ms.`, { isRetryable: true }),
  /** The server could not be reached (retryable). */
  network: (url = "http://127.0.0.1:1/v1"): ProviderError =>
    new ProviderError("provider_network", `Cannot connect to ${url}. Check baseURL in the config.`, {
      isRetryable: true,
    }),
  /** An answer that is not in the provider's format (not retryable). */
  invalidResponse: (): ProviderError =>
    new ProviderError("provider_response_invalid", "The provider's answer could not be read."),
  /** The caller cancelled the call. */
  cancelled: (): MedsafetyError => new MedsafetyError("cancelled", "The call was cancelled."),
} as const;
