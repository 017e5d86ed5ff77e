import { createHash } from "node:crypto";
import { MedsafetyError, ProviderError } from "../core/index.js";
import type { CallOptions, ChatModel, ChatRequest, ChatResponse } from "./chat-model.js";
import type { ModelSettings } from "./model-settings.js";
import { abortableSleep, type Sleep } from "./retry.js";

/**
 * Call limits held across processes (issue 14): a model binding's `requestsPerMinute` and `tokensPerMinute` as budgets
 * that every worker calling the same model draws from. The budgets are fixed windows of points kept by
 * rate-limiter-flexible (RateLimiterPostgres in the shared store, RateLimiterMemory in one process); this module only
 * sees the `CallBudget` interface, and the composition (library/call-budgets.ts) injects a `CallBudgetSource`.
 */

/** How many points one window holds and how long it lasts. */
export interface BudgetWindow {
  readonly points: number;
  /** A whole number of milliseconds that is also a whole number of thousandths of a second. */
  readonly windowMs: number;
}

/** One budget: its key (shared by every process that binds the same model) and its window. */
export interface BudgetSpec extends BudgetWindow {
  readonly key: string;
  /**
   * Spread a window's points evenly over it (for one-point takes: calls started): the k-th point taken in a window
   * is handed out at `windowStart + (k - 1) × windowMs / points`, whichever process took it. Without it a window's
   * points go at once, and the calls of two windows can meet in one second at the provider (the waiters of every
   * process wake together when a window ends, and the network delays some sends more than others).
   */
  readonly even?: boolean;
}

/** What a budget handed out, and how to settle it once the real cost is known. */
export interface BudgetTicket {
  /** Points taken (the request, cut to the window's capacity). */
  readonly points: number;
  /**
   * The call's real cost: the unused part goes back to the window it was taken from (only while that window still
   * lasts: a give-back that lands in a later window would let that window overspend); a cost above what was taken is
   * charged to the current window. Settling twice does nothing. Never throws: a lost give-back only makes the budget
   * stricter, and a call's answer must not be lost to the budget's bookkeeping.
   */
  settle(usedPoints: number): Promise<void>;
}

/** A budget of points per window, possibly shared with other processes. */
export interface CallBudget {
  /** Points one window holds. A take of more is cut to this: the call then has a window to itself. */
  readonly capacity: number;
  /**
   * Waits until `points` fit in the current window (sleeping until the window ends, as often as needed) and takes
   * them. Rejects with `MedsafetyError("cancelled")` when `signal` aborts, and with a retryable `store_error` when the
   * budget's store cannot be reached.
   */
  take(points: number, signal?: AbortSignal): Promise<BudgetTicket>;
}

/** Makes budgets (one per key; the first spec of a key sets its window) and frees what they hold. */
export interface CallBudgetSource {
  /** Where the budgets live: `postgres` (shared by every process using the store) or `memory` (this process). */
  readonly backend: "postgres" | "memory";
  budget(spec: BudgetSpec): CallBudget;
  close(): Promise<void>;
}

/** The budgets one binding draws from. */
export interface SharedLimits {
  /** One point per call started. */
  readonly requests?: CallBudget;
  /** Estimated input + output tokens per call, settled to the answer's usage. */
  readonly tokens?: CallBudget;
}

/** The part of a rate-limiter-flexible limiter a budget uses (RateLimiterMemory, RateLimiterPostgres...). */
export interface WindowLimiter {
  /** Resolves when the points fit; rejects with a `RateLimiterRes` (`msBeforeNext`) when not, with an Error on failure. */
  consume(key: string, points: number): Promise<{ readonly msBeforeNext: number; readonly consumedPoints: number }>;
  reward(key: string, points: number): Promise<unknown>;
  penalty(key: string, points: number): Promise<unknown>;
}

/** Output tokens reserved for a call that sets no `maxTokens`. */
export const DEFAULT_OUTPUT_RESERVATION = 4096;

/**
 * The window of a per-minute limit of calls: about one second, so a minute's budget is never spent in one burst (a
 * provider enforcing "500 per minute" also refuses bursts above about 8 per second). `max(minPoints, floor(rate/60))`
 * points per window of that many 60000/rate ms, rounded up to whole milliseconds that are whole thousandths of a
 * second (rate-limiter-flexible keeps durations in seconds): 500/min → 8 per 960 ms, 30/min → 1 per 2 s.
 */
export function budgetWindow(perMinute: number, minPoints = 1): BudgetWindow {
  const points = Math.max(minPoints, Math.floor(perMinute / 60));
  let windowMs = Math.ceil((points * 60_000) / perMinute);
  while ((windowMs / 1000) * 1000 !== windowMs) windowMs += 1;
  return { points, windowMs };
}

/**
 * The shared identity of a binding: a hash prefix of its `provider:model`, `baseURL` and the NAME of its API key's
 * env var (never the key). Two workers that bind the same model at the same server with the same key variable share a
 * budget, whatever the binding's id; a worker that points a binding at another server (`--bind id.baseURL=…`) does not.
 */
export function bindingBudgetKey(settings: Pick<ModelSettings, "model" | "baseURL" | "apiKeyEnv">): string {
  const identity = JSON.stringify([settings.model, settings.baseURL ?? "", settings.apiKeyEnv ?? ""]);
  return createHash("sha256").update(identity).digest("hex").slice(0, 24);
}

/** The budgets of a binding's `requestsPerMinute` and `tokensPerMinute` (none when it sets neither). */
export function sharedLimitsOf(settings: ModelSettings, source: CallBudgetSource): SharedLimits {
  const key = bindingBudgetKey(settings);
  const { requestsPerMinute, tokensPerMinute } = settings;
  return {
    ...(requestsPerMinute === undefined
      ? {}
      : { requests: source.budget({ key: `requests:${key}`, ...budgetWindow(requestsPerMinute), even: true }) }),
    // Tokens per minute as providers count them: one minute's window (one call may need thousands of points).
    ...(tokensPerMinute === undefined
      ? {}
      : { tokens: source.budget({ key: `tokens:${key}`, points: tokensPerMinute, windowMs: 60_000 }) }),
  };
}

/**
 * Tokens a call may cost before it is made: its prompt (system, messages, response schema) at one token per three
 * UTF-8 bytes (above the real count for English, about one per character for Japanese), plus `maxTokens` (or
 * {@link DEFAULT_OUTPUT_RESERVATION}).
 */
export function estimateRequestTokens(request: ChatRequest): number {
  let bytes = Buffer.byteLength(request.system ?? "");
  for (const message of request.messages) bytes += Buffer.byteLength(message.content);
  if (request.responseSchema !== undefined) bytes += Buffer.byteLength(JSON.stringify(request.responseSchema.schema));
  return Math.ceil(bytes / 3) + (request.maxTokens ?? DEFAULT_OUTPUT_RESERVATION);
}

/**
 * Wraps a model so every call first takes its tokens (the estimate) and then one request from the binding's shared
 * budgets, waiting (abortably, until the window the limiter names ends, then until the request's even slot in its
 * window) while they are spent; after the answer the tokens are settled to its real usage. Without budgets the model
 * is returned unchanged.
 *
 * create-model.ts puts it innermost, right before the adapter and inside the local limits (concurrency, then the
 * even start spacing of this process): a call takes from the shared budget at the moment it is sent, so each window
 * counts what reached the provider in it (a budget taken earlier and held while waiting for a local slot could be
 * sent in a later window, bunching two windows' calls together at the provider), and at most `concurrency` calls per
 * process wait on the store at once. The request budget hands its points out in even slots across all processes
 * (`BudgetSpec.even`), so the waiters that wake together when a window ends do not burst.
 *
 * A 429 the provider still sends (another client on the same key, a provider window that differs from ours) goes
 * through today's retry: the adapter throws a retryable `ProviderError` carrying the `retry-after` header as
 * `retryAfterMs`, `withRetry` (outside this middleware) waits at least that long (up to five minutes) and calls
 * again, and that attempt takes its request and tokens from the budgets again. The refused call's tokens are given
 * back (the provider counted none); its request point is kept. Tokens of any other failed call are kept: whether the
 * provider counted them is unknown.
 */
export function withSharedLimits(model: ChatModel, limits: SharedLimits): ChatModel {
  const { requests, tokens } = limits;
  if (requests === undefined && tokens === undefined) return model;
  return {
    spec: model.spec,
    close: () => model.close(),
    async generate(request: ChatRequest, options: CallOptions = {}): Promise<ChatResponse> {
      const reserved =
        tokens === undefined ? undefined : await tokens.take(estimateRequestTokens(request), options.signal);
      try {
        if (requests !== undefined) await requests.take(1, options.signal);
      } catch (error) {
        await reserved?.settle(0);
        throw error;
      }
      let response: ChatResponse;
      try {
        response = await model.generate(request, options);
      } catch (error) {
        if (reserved !== undefined) await reserved.settle(isRefused(error) ? 0 : reserved.points);
        throw error;
      }
      await reserved?.settle(response.usage.inputTokens + response.usage.outputTokens);
      return response;
    },
  };
}

/** The provider refused the call for its rate limit: no tokens were spent there. */
function isRefused(error: unknown): boolean {
  return error instanceof ProviderError && error.statusCode === 429;
}

export interface WindowBudgetOptions {
  readonly now?: () => number;
  readonly sleep?: Sleep;
}

/**
 * A give-back within this long of its window's end is dropped: it could reach the store after the window has
 * turned and credit the next one.
 */
const SETTLE_MARGIN_MS = 1000;

/** A {@link CallBudget} over a rate-limiter-flexible limiter whose window is `spec`. */
export function windowBudget(limiter: WindowLimiter, spec: BudgetSpec, options: WindowBudgetOptions = {}): CallBudget {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const margin = Math.min(SETTLE_MARGIN_MS, spec.windowMs / 10);
  return {
    capacity: spec.points,
    async take(points, signal) {
      const wanted = Math.min(spec.points, Math.max(1, Math.ceil(points)));
      for (;;) {
        if (signal?.aborted === true)
          throw new MedsafetyError("cancelled", "The call was cancelled while waiting for its shared call budget.", {
            cause: signal.reason,
          });
        let taken: { readonly msBeforeNext: number; readonly consumedPoints: number };
        try {
          taken = await limiter.consume(spec.key, wanted);
        } catch (rejection) {
          if (rejection instanceof Error) throw budgetFailure(spec, rejection);
          await sleep(waitOf(rejection), signal);
          continue;
        }
        const windowEndsAt = now() + taken.msBeforeNext;
        if (spec.even === true) {
          // The point's slot: the window began windowMs before it ends; point k goes (k - 1) slots later.
          const slotAt = windowEndsAt - spec.windowMs + ((taken.consumedPoints - 1) * spec.windowMs) / spec.points;
          const waitMs = Math.ceil(slotAt - now());
          if (waitMs > 0) await sleep(waitMs, signal);
        }
        return ticket(limiter, spec.key, wanted, windowEndsAt - margin, now);
      }
    },
  };
}

function ticket(
  limiter: WindowLimiter,
  key: string,
  points: number,
  giveBackBefore: number,
  now: () => number,
): BudgetTicket {
  let settled = false;
  return {
    points,
    async settle(usedPoints) {
      if (settled) return;
      settled = true;
      const used = Math.max(0, Math.ceil(usedPoints));
      try {
        if (used < points && now() < giveBackBefore) await limiter.reward(key, points - used);
        else if (used > points) await limiter.penalty(key, used - points);
      } catch {
        // See BudgetTicket.settle: the bookkeeping after a call never fails the call.
      }
    },
  };
}

/** How long a refused take waits: until the window the limiter named ends (at least 1 ms). */
function waitOf(rejection: unknown): number {
  const ms = (rejection as { msBeforeNext?: unknown } | undefined)?.msBeforeNext;
  return typeof ms === "number" && Number.isFinite(ms) && ms > 0 ? Math.ceil(ms) + 1 : 1;
}

function budgetFailure(spec: BudgetSpec, error: Error): MedsafetyError {
  return new MedsafetyError(
    "store_error",
    `The shared call budget ${spec.key} could not be read: ${error.message}. Check that the store's PostgreSQL server answers.`,
    { cause: error, isRetryable: true },
  );
}
