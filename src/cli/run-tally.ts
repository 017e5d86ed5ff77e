import type { RunEvents } from "../runner/index.js";

/** Running counts of a run's calls and their cost from its events: what progress displays show. */
export interface RunTally {
  readonly total: number;
  readonly done: number;
  readonly tokens: number;
  readonly errors: number;
  readonly unscored: number;
  /** When `run-start` arrived (ms since epoch), or undefined before. */
  readonly startedAt: number | undefined;
  /** USD spent by the priced calls made so far (skipped calls, response-cache hits and failures cost 0). */
  readonly spentUsd: number;
  /** Calls made so far (not skipped on resume) whose price is known. */
  readonly pricedCalls: number;
  /** Calls made so far whose model has no price: their cost is unknown, never counted as 0. */
  readonly unpricedCalls: number;
}

/**
 * Keeps a tally of run events (calls planned, done, tokens, errors, unscored) and calls `onChange` after each
 * update. Returns the live tally and a function that stops listening.
 */
export function tallyRun(
  events: RunEvents,
  now: () => number,
  onChange: (tally: RunTally, event: "start" | "call" | "total") => void = () => undefined,
): { readonly tally: RunTally; stop(): void } {
  const tally = {
    total: 0,
    done: 0,
    tokens: 0,
    errors: 0,
    unscored: 0,
    startedAt: undefined as number | undefined,
    spentUsd: 0,
    pricedCalls: 0,
    unpricedCalls: 0,
  };
  const addCost = (event: { readonly status: string; readonly costUsd: number | null }): void => {
    if (event.status === "skipped") return;
    if (event.costUsd === null) tally.unpricedCalls += 1;
    else {
      tally.spentUsd += event.costUsd;
      tally.pricedCalls += 1;
    }
  };
  const unsubscribe = [
    events.on("run-start", (event) => {
      tally.total = event.calls;
      tally.startedAt = now();
      onChange(tally, "start");
    }),
    events.on("turn-end", (event) => {
      tally.tokens += event.usage.inputTokens + event.usage.outputTokens;
      if (event.status === "error") tally.errors += 1;
      addCost(event);
      tally.done += 1;
      onChange(tally, "call");
    }),
    events.on("judgment-end", (event) => {
      tally.tokens += event.usage.inputTokens + event.usage.outputTokens;
      if (event.status === "error") tally.errors += 1;
      if (event.status === "unscored") tally.unscored += 1;
      addCost(event);
      tally.done += 1;
      onChange(tally, "call");
    }),
    events.on("calls-dropped", (event) => {
      tally.total -= event.calls;
      onChange(tally, "total");
    }),
  ];
  return {
    tally,
    stop: () => {
      for (const stop of unsubscribe) stop();
    },
  };
}
