import { type ErrorCode, MedsafetyError, ProviderError } from "../core/index.js";
import type { ChatRequest, ChatResponse } from "./chat-model.js";
import type { ModelSettings } from "./model-settings.js";

/** Messages from the main thread to a provider worker. */
export type WorkerCommand =
  | { readonly type: "call"; readonly id: number; readonly settings: ModelSettings; readonly request: ChatRequest }
  | { readonly type: "abort"; readonly id: number };

/** An error crossing the thread boundary, as plain data. */
export interface SerializedError {
  readonly kind: "provider" | "medsafety" | "other";
  readonly code: ErrorCode;
  readonly message: string;
  readonly isRetryable: boolean;
  readonly statusCode?: number;
  readonly retryAfterMs?: number;
}

/** Messages from a provider worker to the main thread. */
export type WorkerReply =
  | { readonly type: "result"; readonly id: number; readonly response: ChatResponse }
  | { readonly type: "error"; readonly id: number; readonly error: SerializedError };

export function serializeError(error: unknown): SerializedError {
  if (error instanceof ProviderError) {
    return {
      kind: "provider",
      code: error.code,
      message: error.message,
      isRetryable: error.isRetryable,
      ...(error.statusCode === undefined ? {} : { statusCode: error.statusCode }),
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    };
  }
  if (error instanceof MedsafetyError)
    return { kind: "medsafety", code: error.code, message: error.message, isRetryable: error.isRetryable };
  return {
    kind: "other",
    code: "provider_unknown",
    message: error instanceof Error ? error.message : String(error),
    isRetryable: false,
  };
}

/** Rebuilds the error on the main thread with the same class, code, status and retry information. */
export function deserializeError(error: SerializedError): Error {
  if (error.kind === "provider") {
    return new ProviderError(error.code, error.message, {
      isRetryable: error.isRetryable,
      ...(error.statusCode === undefined ? {} : { statusCode: error.statusCode }),
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    });
  }
  return new MedsafetyError(error.code, error.message, { isRetryable: error.isRetryable });
}
