import type { RunEvents } from "../runner/index.js";

/** Running counts of a run's calls from its events: what progress displays show. */
export interface RunTally {
  readonly total: number;
  readonly done: number;
  readonly tokens: number;
  readonly errors: number;
  readonly unscored: number;
  /** When `run-start` arrived (ms since epoch), or undefined before. */
  readonly startedAt: number | undefined;
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
  const tally = { total: 0, done: 0, tokens: 0, errors: 0, unscored: 0, startedAt: undefined as number | undefined };
  const unsubscribe = [
    events.on("run-start", (event) => {
      tally.total = event.calls;
      tally.startedAt = now();
      onChange(tally, "start");
    }),
    events.on("turn-end", (event) => {
      tally.tokens += event.usage.inputTokens + event.usage.outputTokens;
      if (event.status === "error") tally.errors += 1;
      tally.done += 1;
      onChange(tally, "call");
    }),
    events.on("judgment-end", (event) => {
      tally.tokens += event.usage.inputTokens + event.usage.outputTokens;
      if (event.status === "error") tally.errors += 1;
      if (event.status === "unscored") tally.unscored += 1;
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
