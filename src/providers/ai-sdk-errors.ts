// The error class from the provider spec package (no dependencies), not from `ai`, which loads the whole SDK.
import { APICallError } from "@ai-sdk/provider";
import { errorMessage, ProviderError, parseRetryAfter } from "../core/index.js";

/** What an error message needs to say where the failure happened and what to fix. */
export interface FailureContext {
  /** `Model "judge" (openai:gpt-4o-mini)`: names the binding in the config. */
  readonly label: string;
  readonly baseURL: string;
  readonly timeoutMs: number;
  /** The env var the API key came from, when there is one. */
  readonly keyVariable: string | undefined;
  /** Values that must never appear in a message (the API key). */
  readonly secrets: readonly string[];
}

const KEY_LIKE = /\b(?:sk-|sk-ant-|AIza)[A-Za-z0-9_*.-]{6,}/g;

/** Removes the API key, and anything shaped like one, from a provider's message. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let redacted = text;
  for (const secret of secrets) {
    if (secret.length >= 4) redacted = redacted.split(secret).join("[redacted]");
  }
  return redacted.replace(KEY_LIKE, "[redacted]");
}

/** The error thrown when the per-call timeout (`timeoutMs`) fires before an answer. */
export function timeoutError(context: FailureContext, cause: unknown): ProviderError {
  return new ProviderError(
    "provider_timeout",
    `${context.label}: no answer from ${context.baseURL} within ${context.timeoutMs} ms. ` +
      `Raise timeoutMs for this model in the config, or lower its concurrency if the server is overloaded.`,
    { cause, isRetryable: true },
  );
}

/**
 * Maps anything the AI SDK throws (other than aborts, which the adapter sorts out itself) onto the project's
 * error vocabulary: HTTP errors keep their status and `retry-after`; connection failures are network errors;
 * a 2xx body the SDK cannot read is an invalid response.
 */
export function toProviderError(error: unknown, context: FailureContext): ProviderError {
  if (APICallError.isInstance(error)) {
    const detail = redactSecrets(error.message, context.secrets);
    if (error.statusCode === undefined) return networkError(context, detail, error);
    if (error.statusCode < 400) return invalidResponseError(context, `HTTP ${error.statusCode}: ${detail}`, error);
    return httpError(context, error.statusCode, detail, error.responseHeaders, error);
  }
  if (hasNetworkCause(error)) return networkError(context, redactSecrets(errorMessage(error), context.secrets), error);
  return invalidResponseError(context, redactSecrets(errorMessage(error), context.secrets), error);
}

function networkError(context: FailureContext, detail: string, cause: unknown): ProviderError {
  return new ProviderError(
    "provider_network",
    `${context.label}: cannot connect to ${context.baseURL} (${detail}). ` +
      `Check that the server is running and that baseURL in the config is right.`,
    { cause, isRetryable: true },
  );
}

function invalidResponseError(context: FailureContext, detail: string, cause: unknown): ProviderError {
  return new ProviderError(
    "provider_response_invalid",
    `${context.label}: the answer from ${context.baseURL} could not be read (${detail}). ` +
      `Check that baseURL points at an API of the model's provider kind and that the server is healthy.`,
    { cause, isRetryable: false },
  );
}

function httpError(
  context: FailureContext,
  statusCode: number,
  detail: string,
  headers: Record<string, string> | undefined,
  cause: unknown,
): ProviderError {
  const retryAfterMs = parseRetryAfter(headers);
  const details = { cause, statusCode, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  const what = `${context.label}: HTTP ${statusCode} from ${context.baseURL} (${detail}).`;
  if (statusCode === 401 || statusCode === 403) {
    return new ProviderError("provider_auth", `${what} ${authFix(context)}`, { ...details, isRetryable: false });
  }
  return new ProviderError("provider_http", `${what} ${httpFix(statusCode)}`, details);
}

function authFix(context: FailureContext): string {
  if (context.keyVariable === undefined) {
    return "The server wants an API key: set apiKeyEnv for this model in the config to the name of an env var holding it.";
  }
  return `Check that ${context.keyVariable} holds a valid key with access to this model.`;
}

function httpFix(statusCode: number): string {
  if (statusCode === 429) {
    return "The provider is rate limiting: lower concurrency or requestsPerMinute for this model in the config.";
  }
  if (statusCode === 404) return 'Check the model name in "model" and baseURL in the config.';
  if (statusCode === 408 || statusCode === 409 || statusCode >= 500) {
    return 'This is usually temporary; it is retried up to "retries" times (see the config).';
  }
  return "The provider rejected the request: check this model's temperature, maxTokens and seed in the config, and that it supports structured output when used as a judge.";
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EPIPE",
  "UND_ERR_SOCKET",
]);

/** True when some error in the `cause` chain carries a socket or DNS error code. */
function hasNetworkCause(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return true;
    current = current.cause;
  }
  return false;
}
