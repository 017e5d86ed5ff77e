import { errorMessage, isCancellation, ProviderError, parseRetryAfter, wholeJsonObject } from "../../core/index.js";
import { redactSecrets } from "../ai-sdk-errors.js";
import type { ChatRequest, ChatResponse } from "../chat-model.js";

/** The providers with a batch API this project speaks (decision 0019). */
export type BatchProvider = "openai" | "anthropic";

/** One request of a batch: its `custom_id` and the body the provider's synchronous endpoint would get. */
export interface BatchEntry {
  readonly customId: string;
  readonly body: Readonly<Record<string, unknown>>;
}

/** What a batch request came back as: an answer, or a failure recorded as the turn's or judgment's error. */
export type BatchOutcome =
  | { readonly kind: "answer"; readonly response: ChatResponse }
  | { readonly kind: "error"; readonly error: ProviderError };

/** A batch the provider accepted. */
export interface SubmittedBatch {
  readonly providerBatchId: string;
  /** OpenAI: the uploaded JSONL file. */
  readonly inputFileId?: string;
}

/** A batch as one poll saw it. `ended`: its results can be read (some requests may have failed or expired). */
export interface BatchState {
  readonly ended: boolean;
  /** The provider's own status word (`in_progress`, `completed`, `expired`, `ended`...), stored as it came. */
  readonly providerStatus: string;
  readonly outputFileId?: string;
  readonly errorFileId?: string;
  readonly resultsUrl?: string;
  /** Why the whole batch failed, when the provider says (OpenAI's `errors.data[].message`). */
  readonly detail?: string;
}

/**
 * One provider's batch API: how a `ChatRequest` becomes a request body, the size limits of one batch, and the
 * create / poll / results calls. Implementations throw `ProviderError` (never with the API key in the message).
 */
export interface BatchClient {
  readonly provider: BatchProvider;
  /** Most requests and bytes (of the provider's upload) in one batch. */
  readonly limits: { readonly maxRequests: number; readonly maxBytes: number };
  /** The request body the provider's synchronous endpoint would get for this request (what the AI SDK sends). */
  body(request: ChatRequest): Record<string, unknown>;
  /** Bytes this entry adds to a batch's upload. */
  entryBytes(entry: BatchEntry): number;
  submit(entries: readonly BatchEntry[]): Promise<SubmittedBatch>;
  poll(providerBatchId: string): Promise<BatchState>;
  /** Every request's outcome of an ended batch, by `custom_id`. */
  results(providerBatchId: string, state: BatchState): Promise<Map<string, BatchOutcome>>;
}

/** Where a client sends its calls and how its errors name the binding. */
export interface BatchEndpoint {
  /** `Model "judge" (openai:gpt-4o-mini)`. */
  readonly label: string;
  /** Without a trailing slash, e.g. `https://api.openai.com/v1`. */
  readonly baseURL: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Values never to appear in a message (the API key). */
  readonly secrets: readonly string[];
  readonly timeoutMs: number;
  /** Tries of one control call (upload, create, poll, download) after a retryable failure. */
  readonly retries: number;
}

/** The body of one HTTP answer: text, or a JSON object. */
export interface HttpAnswer {
  readonly status: number;
  readonly text: string;
}

/**
 * One HTTP call of a batch API, retried on network errors, 408, 409, 429 and 5xx with the answer's retry-after
 * (or 1 s, 2 s, 4 s...). A create is retried too: a lost answer may leave a batch at the provider that resume does not
 * know (decision 0019 says why that is accepted).
 */
export async function batchHttp(
  endpoint: BatchEndpoint,
  method: "GET" | "POST",
  path: string,
  body?: { readonly contentType: string; readonly data: string | Uint8Array },
): Promise<HttpAnswer> {
  const url = path.startsWith("http") ? path : `${endpoint.baseURL}${path}`;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await httpOnce(endpoint, method, url, body);
    } catch (error) {
      if (!(error instanceof ProviderError) || !error.isRetryable || attempt >= endpoint.retries) throw error;
      const delay = error.retryAfterMs ?? Math.min(30_000, 1000 * 2 ** attempt);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

async function httpOnce(
  endpoint: BatchEndpoint,
  method: "GET" | "POST",
  url: string,
  body: { readonly contentType: string; readonly data: string | Uint8Array } | undefined,
): Promise<HttpAnswer> {
  const where = `${method} ${url.replace(/\?.*$/, "")}`;
  // undici loads on the first call, as for the AI SDK's providers (ai-sdk-clients.ts), not when a model is bound.
  const { httpFetch } = await import("../http-fetch.js");
  let response: Response;
  try {
    response = await httpFetch(url, {
      method,
      headers: { ...endpoint.headers, ...(body === undefined ? {} : { "content-type": body.contentType }) },
      ...(body === undefined ? {} : { body: body.data }),
      signal: AbortSignal.timeout(endpoint.timeoutMs),
    });
  } catch (error) {
    if (isCancellation(error)) throw error;
    throw new ProviderError(
      "provider_network",
      `${endpoint.label}: cannot reach the batch API (${where}: ${redactSecrets(errorMessage(error), endpoint.secrets)}). Check that baseURL in the config is right and the server is up.`,
      { cause: error, isRetryable: true },
    );
  }
  const text = await response.text();
  if (response.status >= 400) {
    const retryAfterMs = parseRetryAfter(Object.fromEntries(response.headers.entries()));
    const detail = redactSecrets(text.slice(0, 500), endpoint.secrets);
    throw new ProviderError(
      response.status === 401 || response.status === 403 ? "provider_auth" : "provider_http",
      `${endpoint.label}: HTTP ${response.status} from the batch API (${where}): ${detail}`,
      { statusCode: response.status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
    );
  }
  return { status: response.status, text };
}

/** The JSON object of an answer, or `provider_response_invalid`. */
export function answerObject(endpoint: BatchEndpoint, answer: HttpAnswer, what: string): Record<string, unknown> {
  const value = wholeJsonObject(answer.text);
  if (value === undefined) throw invalidAnswer(endpoint, `${what} is not a JSON object`);
  return value;
}

/** The JSON objects of a JSONL answer (blank lines skipped); a line that is not one is `provider_response_invalid`. */
export function jsonLines(endpoint: BatchEndpoint, text: string, what: string): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const [index, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    const value = wholeJsonObject(line);
    if (value === undefined) throw invalidAnswer(endpoint, `line ${index + 1} of ${what} is not a JSON object`);
    lines.push(value);
  }
  return lines;
}

export function invalidAnswer(endpoint: BatchEndpoint, detail: string): ProviderError {
  return new ProviderError(
    "provider_response_invalid",
    `${endpoint.label}: the batch API's answer could not be read (${detail}). Check that baseURL points at the provider's API.`,
    { isRetryable: false },
  );
}

export function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export function stringAt(value: Record<string, unknown> | undefined, key: string): string | undefined {
  const field = value?.[key];
  return typeof field === "string" ? field : undefined;
}

export function numberAt(value: Record<string, unknown> | undefined, key: string): number {
  const field = value?.[key];
  return typeof field === "number" && Number.isFinite(field) ? field : 0;
}
