import { setMaxListeners } from "node:events";
import type { Output } from "./output.js";

/** The two signals a long job listens on: `stop` (first Ctrl-C: start no new call) and `abort` (second: cancel calls in flight). */
export interface Interrupt {
  readonly stop: AbortSignal;
  readonly abort: AbortSignal;
  /** Removes the SIGINT/SIGTERM listeners (call in `finally`). */
  dispose(): void;
}

/**
 * Two-stage Ctrl-C for runs and generation jobs: the first SIGINT/SIGTERM stops starting calls and lets those in
 * flight settle and be stored (saying so on stderr, with `what` naming where they go); a second aborts them.
 */
export function listenForInterrupt(output: Output, what: string): Interrupt {
  const stop = new AbortController();
  const abort = new AbortController();
  // Every call in flight listens on these two signals: thousands of listeners are expected, not a leak.
  setMaxListeners(0, stop.signal, abort.signal);
  const onSignal = (): void => {
    if (stop.signal.aborted) abort.abort();
    else {
      output.err(`\nStopping: waiting for calls in flight to settle and be ${what} (Ctrl-C again to abort them)...`);
      stop.abort();
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    stop: stop.signal,
    abort: abort.signal,
    dispose: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
