import { callCost, type ModelSettings, resolvePrice } from "../../providers/index.js";
import type { EstimateRole, OutputSource, PlannedCalls } from "./planning-model.js";
import { tokenizerFamily } from "./token-counter.js";

/** One binding in one role: planned calls, tokens, money and the time its limits imply. */
export interface EstimateLine {
  readonly role: EstimateRole;
  readonly bindingId: string;
  readonly model: string;
  readonly calls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Where the output length per call comes from. */
  readonly outputSource: OutputSource;
  /** Expected output tokens per call. */
  readonly outputPerCall: number;
  /** The tolerance of the input-token count for this model's family, in percent. */
  readonly tolerancePercent: number;
  /** USD at the binding's price, or null when the model is unpriced (never 0 for a hosted model without a price). */
  readonly costUsd: number | null;
  /** True when the binding sends its calls through a batch API (priced with the batch discount). */
  readonly batched: boolean;
  /** Minutes the binding's calls take at its limits (the slowest of requests, tokens and concurrency). */
  readonly minutes: number;
  /** What bounds `minutes`. */
  readonly limitedBy: "requestsPerMinute" | "tokensPerMinute" | "concurrency";
  /** True when the binding configures neither requestsPerMinute nor tokensPerMinute. */
  readonly noRateLimit: boolean;
}

/** An estimate of a command's calls, tokens, money and wall time, without calling any model. */
export interface Estimate {
  readonly command: string;
  /** What is planned: conversations, tasks, … (command-specific counts). */
  readonly plan: Readonly<Record<string, number>>;
  readonly lines: readonly EstimateLine[];
  readonly totals: {
    readonly calls: number;
    readonly inputTokens: number;
    readonly outputTokens: number;
    /** USD over priced lines; null when every line is unpriced. */
    readonly costUsd: number | null;
    /** Lines whose model has no price: the total leaves them out. */
    readonly unpricedLines: number;
  };
  /** Wall time in minutes: the slowest binding, or the run's global concurrency if that is slower. */
  readonly minutes: number;
  /** Notes to print (assumptions). */
  readonly notes: readonly string[];
}

/** Latency per call assumed when no earlier call of the model was stored (the concurrency bound uses it). */
export const ASSUMED_LATENCY_MS = 2000;

/** Turns a ledger's planned calls into an estimate: money at each binding's price, time at its limits. */
export function summarizePlan(
  command: string,
  planned: readonly PlannedCalls[],
  options: { readonly concurrency: number; readonly plan: Readonly<Record<string, number>> },
): Estimate {
  const lines = planned.map((entry) => lineOf(entry, options.concurrency));
  const priced = lines.filter((line) => line.costUsd !== null);
  const totalCalls = lines.reduce((total, line) => total + line.calls, 0);
  const latency = planned.reduce(
    (total, entry) => total + entry.calls * (entry.expected.latencyMs ?? ASSUMED_LATENCY_MS),
    0,
  );
  const globalMinutes = latency / Math.max(1, options.concurrency) / 60_000;
  const notes: string[] = [];
  if (planned.some((entry) => entry.expected.latencyMs === undefined))
    notes.push(`latency per call assumed ${ASSUMED_LATENCY_MS / 1000} s where no earlier call was stored`);
  const cached = planned.filter((entry) => {
    const price = resolvePrice(entry.settings);
    return entry.calls > 0 && price?.cachedInput !== undefined && price.cachedInput < price.input;
  });
  if (cached.length > 0)
    notes.push(
      `prompt-cache reads are priced as full input: ${cached.map((entry) => entry.settings.id).join(", ")} may cost less (an upper bound)`,
    );
  return {
    command,
    plan: options.plan,
    lines,
    totals: {
      calls: totalCalls,
      inputTokens: lines.reduce((total, line) => total + line.inputTokens, 0),
      outputTokens: lines.reduce((total, line) => total + line.outputTokens, 0),
      costUsd: priced.length === 0 ? null : priced.reduce((total, line) => total + (line.costUsd ?? 0), 0),
      unpricedLines: lines.length - priced.length,
    },
    minutes: Math.max(globalMinutes, ...lines.map((line) => line.minutes), 0),
    notes,
  };
}

function lineOf(entry: PlannedCalls, globalConcurrency: number): EstimateLine {
  const { settings } = entry;
  const batched = batchOf(settings);
  const price = resolvePrice(settings);
  const costUsd =
    price === undefined
      ? null
      : callCost({ inputTokens: entry.inputTokens, outputTokens: entry.outputTokens }, price, {
          batched,
          cached: false,
        });
  const bounds = timeBounds(entry, globalConcurrency);
  return {
    role: entry.role,
    bindingId: settings.id,
    model: settings.model,
    calls: entry.calls,
    inputTokens: entry.inputTokens,
    outputTokens: entry.outputTokens,
    outputSource: entry.expected.source,
    outputPerCall: entry.expected.tokens,
    tolerancePercent: tokenizerFamily(settings.model).tolerancePercent,
    costUsd,
    batched,
    ...bounds,
    noRateLimit: settings.requestsPerMinute === undefined && settings.tokensPerMinute === undefined,
  };
}

/** Minutes at `requestsPerMinute`, `tokensPerMinute` and the concurrency bound (calls × latency / slots). */
function timeBounds(
  entry: PlannedCalls,
  globalConcurrency: number,
): { minutes: number; limitedBy: EstimateLine["limitedBy"] } {
  const { settings } = entry;
  const local = settings.model.startsWith("local:");
  const slots = Math.max(1, Math.min(globalConcurrency, settings.concurrency ?? (local ? 1 : globalConcurrency)));
  const candidates: { minutes: number; limitedBy: EstimateLine["limitedBy"] }[] = [
    {
      minutes: (entry.calls * (entry.expected.latencyMs ?? ASSUMED_LATENCY_MS)) / slots / 60_000,
      limitedBy: "concurrency",
    },
  ];
  if (settings.requestsPerMinute !== undefined)
    candidates.push({ minutes: entry.calls / settings.requestsPerMinute, limitedBy: "requestsPerMinute" });
  if (settings.tokensPerMinute !== undefined)
    candidates.push({
      minutes: (entry.inputTokens + entry.outputTokens) / settings.tokensPerMinute,
      limitedBy: "tokensPerMinute",
    });
  return candidates.reduce((slowest, candidate) => (candidate.minutes > slowest.minutes ? candidate : slowest));
}

/** `batch: true` on a binding: its calls go through the provider's batch API. */
function batchOf(settings: ModelSettings): boolean {
  return settings.batch === true;
}
