import { MedsafetyError } from "../core/index.js";
import type { CallOptions, ChatModel, ChatRequest, ChatResponse } from "./chat-model.js";

/** Waits `ms` milliseconds; rejects when `signal` aborts. Injected in tests so they never really wait. */
export type Sleep = (ms: number, signal: AbortSignal | undefined) => Promise<void>;

export interface RetryPolicy {
  /** Retries after the first attempt (0: no retry). */
  readonly retries: number;
  /** First backoff ceiling; doubles each retry (default 500 ms). */
  readonly baseDelayMs?: number;
  /** Ceiling of the exponential backoff (default 60 s). A longer `retry-after` is still honoured, up to 5 min. */
  readonly maxDelayMs?: number;
  readonly sleep?: Sleep;
  /** Source of jitter in [0, 1) (default Math.random). */
  readonly random?: () => number;
}

const DEFAULT_BASE_DELAY_MS = 500;
const DEFAULT_MAX_DELAY_MS = 60_000;
/** The longest `retry-after` honoured: a server asking for more gets this wait, then the next attempt. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/**
 * Wraps a model so retryable failures (`isRetryable`: 408/409/429/5xx, timeouts, network) are tried again,
 * up to `policy.retries` times, with exponential backoff and full jitter. A `retryAfterMs` on the error is a
 * floor for the wait. `options.onRetry` hears about each retry before its wait; `options.signal` cuts the
 * wait short with `MedsafetyError("cancelled")`. Other errors, and the last one, are rethrown unchanged.
 */
export function withRetry(model: ChatModel, policy: RetryPolicy): ChatModel {
  if (policy.retries <= 0) return model;
  const sleep = policy.sleep ?? abortableSleep;
  return {
    spec: model.spec,
    close: () => model.close(),
    async generate(request: ChatRequest, options: CallOptions = {}): Promise<ChatResponse> {
      // Inner layers get only the signal: retry events are reported once, here.
      const innerOptions: CallOptions = options.signal === undefined ? {} : { signal: options.signal };
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await model.generate(request, innerOptions);
        } catch (error) {
          if (attempt > policy.retries || !isRetryableError(error)) throw error;
          const delayMs = retryDelayMs(attempt, error, policy);
          options.onRetry?.({ attempt, delayMs, error });
          await sleep(delayMs, options.signal);
        }
      }
    },
  };
}

/**
 * The wait before retry number `attempt` (1-based): full jitter over `min(maxDelay, base * 2^(attempt-1))`,
 * raised to the error's `retryAfterMs` when it has one (capped at max(maxDelay, 5 min)).
 */
export function retryDelayMs(attempt: number, error: Error, policy: RetryPolicy): number {
  const baseDelayMs = policy.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const maxDelayMs = policy.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const random = policy.random ?? Math.random;
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  const backoff = Math.round(random() * ceiling);
  const retryAfterMs = readRetryAfterMs(error);
  if (retryAfterMs === undefined) return backoff;
  return Math.round(Math.min(Math.max(backoff, retryAfterMs), Math.max(maxDelayMs, MAX_RETRY_AFTER_MS)));
}

function isRetryableError(error: unknown): error is Error {
  return error instanceof Error && (error as Error & { isRetryable?: unknown }).isRetryable === true;
}

function readRetryAfterMs(error: Error): number | undefined {
  const value = (error as Error & { retryAfterMs?: unknown }).retryAfterMs;
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** setTimeout that rejects with `MedsafetyError("cancelled")` when the signal aborts. */
export const abortableSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    const cancelled = () =>
      new MedsafetyError("cancelled", "The call was cancelled while waiting to retry.", { cause: signal?.reason });
    if (signal?.aborted === true) {
      reject(cancelled());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
