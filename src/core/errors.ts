/**
 * One error vocabulary for the whole project. Every error has a stable `code`, a message that says how to
 * fix the problem, an optional `cause`, and `isRetryable` (true only for transient provider failures).
 */
export type ErrorCode =
  | "config_invalid"
  | "dataset_invalid"
  | "provider_http"
  | "provider_timeout"
  | "provider_network"
  | "provider_response_invalid"
  | "provider_auth"
  | "provider_unknown"
  | "model_unavailable"
  | "store_error"
  /** The store path names no store, or a place or file that cannot hold one (wrong path: exit 2). */
  | "store_unusable"
  | "run_not_found"
  | "run_busy"
  | "review_invalid"
  | "cancelled";

export interface MedsafetyErrorOptions {
  readonly cause?: unknown;
  readonly isRetryable?: boolean;
}

export class MedsafetyError extends Error {
  readonly code: ErrorCode;
  readonly isRetryable: boolean;

  constructor(code: ErrorCode, message: string, options: MedsafetyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "MedsafetyError";
    this.code = code;
    this.isRetryable = options.isRetryable ?? false;
  }
}

/** A place in a user file: used by config and dataset errors so messages can name file, line and field. */
export interface SourceLocation {
  readonly file: string;
  readonly line?: number;
  readonly field?: string;
}

export function formatLocation(location: SourceLocation): string {
  const line = location.line === undefined ? "" : `:${location.line}`;
  const field = location.field === undefined || location.field === "" ? "" : ` (field "${location.field}")`;
  return `${location.file}${line}${field}`;
}

/** Bad user input in a file: the message names the file, line and field, then says how to fix it. */
export class InputError extends MedsafetyError {
  readonly location: SourceLocation;

  constructor(code: "config_invalid" | "dataset_invalid", location: SourceLocation, problem: string, fix: string) {
    super(code, `${formatLocation(location)}: ${problem}. ${fix}`);
    this.name = "InputError";
    this.location = location;
  }
}

/**
 * A human review that cannot be stored: its turn is not in the run, its score is off the rubric's scale, its reason
 * or reviewer is empty. `field` names the review field at fault (importers add the file and line).
 */
export class ReviewError extends MedsafetyError {
  readonly field: string;
  readonly problem: string;
  readonly fix: string;

  constructor(field: string, problem: string, fix: string) {
    super("review_invalid", `review field "${field}": ${problem}. ${fix}`);
    this.name = "ReviewError";
    this.field = field;
    this.problem = problem;
    this.fix = fix;
  }
}

export interface ProviderErrorDetails extends MedsafetyErrorOptions {
  readonly statusCode?: number;
  readonly retryAfterMs?: number;
}

/** A failed call to a model provider. Retryable for 408, 409, 429, 5xx, timeouts and network errors. */
export class ProviderError extends MedsafetyError {
  readonly statusCode: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, details: ProviderErrorDetails = {}) {
    super(code, message, {
      cause: details.cause,
      isRetryable: details.isRetryable ?? isRetryableStatus(details.statusCode),
    });
    this.name = "ProviderError";
    this.statusCode = details.statusCode;
    this.retryAfterMs = details.retryAfterMs;
  }
}

export function isRetryableStatus(statusCode: number | undefined): boolean {
  if (statusCode === undefined) return false;
  return statusCode === 408 || statusCode === 409 || statusCode === 429 || statusCode >= 500;
}

/**
 * Parses a `retry-after` (seconds or HTTP date) or `retry-after-ms` header into milliseconds.
 * Returns undefined when absent or unparseable.
 */
export function parseRetryAfter(
  headers: Readonly<Record<string, string | undefined>> | undefined,
  now = Date.now(),
): number | undefined {
  if (headers === undefined) return undefined;
  const lower = new Map(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
  const milliseconds = Number(lower.get("retry-after-ms"));
  if (lower.has("retry-after-ms") && Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const value = lower.get("retry-after");
  if (value === undefined || value.trim() === "") return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  // Only an HTTP-date (RFC 9110 IMF-fixdate): V8's Date.parse would read "later 5" as a date in 2001.
  if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Reads the message of anything thrown, without assuming it is an Error. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * The error to report when a second failure happens while a first is being handled (a final flush or a close
 * after a failed run): the first stays the error (its code, so its exit code), the second is added to its message,
 * so neither is lost. `during` says what the second failure interrupted, e.g. "storing the last results".
 */
export function withSecondError(primary: unknown, secondary: unknown, during: string): Error {
  const message = `${errorMessage(primary)} Also, ${during} failed: ${errorMessage(secondary)}`;
  if (primary instanceof MedsafetyError)
    return new MedsafetyError(primary.code, message, { cause: primary, isRetryable: primary.isRetryable });
  return new Error(message, { cause: primary });
}

/**
 * True when `error` says a call or a task was cancelled (Ctrl-C, a stop signal), not that it failed: a
 * `MedsafetyError` with code `cancelled` (what every adapter and middleware throws on abort), or the platform's
 * `AbortError`. A cancellation is no result: it is not recorded, and resume makes the call again.
 */
export function isCancellation(error: unknown): boolean {
  if (error instanceof MedsafetyError) return error.code === "cancelled";
  return error instanceof Error && error.name === "AbortError";
}

/** What a stored row, a summary or a log line keeps of a failed call. */
export interface ErrorFields {
  /** The error vocabulary's code; `provider_unknown` for anything that is not a `MedsafetyError`. */
  readonly code: string;
  /** The HTTP status of a provider's answer, when there was one. */
  readonly status: number | null;
  readonly message: string;
}

/** The code, HTTP status and message of anything thrown (see `ErrorFields`). */
export function errorFieldsOf(error: unknown): ErrorFields {
  return {
    code: error instanceof MedsafetyError ? error.code : "provider_unknown",
    status: error instanceof ProviderError ? (error.statusCode ?? null) : null,
    message: errorMessage(error),
  };
}
