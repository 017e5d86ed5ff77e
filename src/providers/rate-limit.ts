import pLimit from "p-limit";
import { MedsafetyError } from "../core/index.js";
import type { CallOptions, ChatModel, ChatRequest, ChatResponse } from "./chat-model.js";
import { abortableSleep, type Sleep } from "./retry.js";

export interface ModelLimits {
  /** Most calls in flight at once. */
  readonly concurrency?: number;
  /** Most calls started per minute, spread evenly: one start every 60000/rpm ms, never in bursts. */
  readonly requestsPerMinute?: number;
  /** Clock in milliseconds (default Date.now); injected in tests. */
  readonly now?: () => number;
  readonly sleep?: Sleep;
}

/**
 * Wraps a model so at most `concurrency` calls run at once and calls start no closer together than
 * 60000 / `requestsPerMinute` ms. Without either limit the model is returned unchanged. Put it inside
 * `withRetry` so every retry waits for its turn too.
 */
export function withLimits(model: ChatModel, limits: ModelLimits): ChatModel {
  const { concurrency, requestsPerMinute } = limits;
  if (concurrency === undefined && requestsPerMinute === undefined) return model;
  const limit = concurrency === undefined ? undefined : pLimit(concurrency);
  const waitForStart =
    requestsPerMinute === undefined
      ? undefined
      : createStartSpacer(60_000 / requestsPerMinute, limits.now ?? Date.now, limits.sleep ?? abortableSleep);
  const run = async (request: ChatRequest, options: CallOptions): Promise<ChatResponse> => {
    throwIfCancelled(model.spec, options.signal);
    // Spacing is waited for while holding a concurrency slot, so starts stay spaced however slots free up.
    if (waitForStart !== undefined) await waitForStart(options.signal);
    return model.generate(request, options);
  };
  return {
    spec: model.spec,
    close: () => model.close(),
    generate: (request, options = {}) => (limit === undefined ? run(request, options) : limit(run, request, options)),
  };
}

/**
 * Hands out start times `intervalMs` apart: each caller books the next free slot and sleeps until it. A caller
 * that gives up while waiting leaves its slot unused, which keeps the spacing conservative.
 */
export function createStartSpacer(
  intervalMs: number,
  now: () => number,
  sleep: Sleep,
): (signal: AbortSignal | undefined) => Promise<void> {
  let nextStart = Number.NEGATIVE_INFINITY;
  return async (signal) => {
    const current = now();
    const start = Math.max(current, nextStart);
    nextStart = start + intervalMs;
    const waitMs = start - current;
    if (waitMs > 0) await sleep(waitMs, signal);
  };
}

function throwIfCancelled(spec: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    throw new MedsafetyError("cancelled", `The call to ${spec} was cancelled while waiting for a free slot.`, {
      cause: signal.reason,
    });
  }
}
