import { Presets, SingleBar } from "cli-progress";
import { formatUsd } from "../core/index.js";
import type { RunEvents } from "../runner/index.js";
import { formatCost } from "./money.js";
import { type RunTally, tallyRun } from "./run-tally.js";

/**
 * Renders run events as a progress bar on stderr: done/total calls, calls per second, tokens, errors, ETA.
 * A listener only: the runner knows nothing of terminals. Returns a function that stops rendering.
 */
export function attachProgressBar(events: RunEvents, stream: NodeJS.WriteStream = process.stderr): () => void {
  const bar = new SingleBar(
    {
      stream,
      format:
        "{bar} {value}/{total} calls | {rate} calls/s | tokens {tokens} | errors {errors} | unscored {unscored} | ETA {eta_formatted} | {cost}",
      hideCursor: true,
      etaBuffer: 200,
      fps: 5,
      noTTYOutput: false,
    },
    Presets.shades_classic,
  );
  const payload = (tally: RunTally): Record<string, string | number> => ({
    rate: ((tally.done / Math.max(1, Date.now() - (tally.startedAt ?? Date.now()))) * 1000).toFixed(1),
    tokens: tally.tokens,
    errors: tally.errors,
    unscored: tally.unscored,
    cost: costPhrase(tally),
  });
  const listening = tallyRun(events, Date.now, (tally, change) => {
    if (change === "start") bar.start(tally.total, 0, payload(tally));
    else if (change === "total") {
      bar.setTotal(tally.total);
      bar.update(tally.done, payload(tally));
    } else bar.update(tally.done, payload(tally));
  });
  return () => {
    listening.stop();
    bar.stop();
  };
}

/** Where plain progress lines go and how often (tests inject a clock and a short interval). */
export interface ProgressLineOptions {
  readonly write: (line: string) => void;
  readonly intervalMs: number;
  readonly now?: () => number;
}

/**
 * Progress for logs (stderr is not a terminal: CI, nohup, a pipe): one plain line at a steady interval, and a last
 * one when the run ends, e.g. `progress: 1,200/4,800 calls (25.0 %), errors 3, unscored 1, elapsed 0:02:10, ETA 0:06:30`.
 */
export function attachProgressLines(events: RunEvents, options: ProgressLineOptions): () => void {
  const now = options.now ?? Date.now;
  const listening = tallyRun(events, now);
  const print = (): void => {
    if (listening.tally.startedAt !== undefined) options.write(progressLine(listening.tally, now()));
  };
  const timer = setInterval(print, options.intervalMs);
  timer.unref();
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    print();
    listening.stop();
  };
}

/**
 * One progress line: done/total calls, share, errors, unscored, elapsed time, the estimate to finish, and the money
 * spent with its estimate to finish (`costPhrase`).
 */
export function progressLine(tally: RunTally, nowMs: number): string {
  const elapsedMs = Math.max(0, nowMs - (tally.startedAt ?? nowMs));
  const share = tally.total === 0 ? 100 : (tally.done / tally.total) * 100;
  const remaining = Math.max(0, tally.total - tally.done);
  const eta = tally.done === 0 ? "unknown" : duration((elapsedMs / tally.done) * remaining);
  const count = (value: number): string => value.toLocaleString("en-US");
  return `progress: ${count(tally.done)}/${count(tally.total)} calls (${share.toFixed(1)} %), errors ${count(tally.errors)}, unscored ${count(tally.unscored)}, elapsed ${duration(elapsedMs)}, ETA ${eta}, ${costPhrase(tally)}`;
}

/**
 * Money so far and an estimate of what the rest costs: `spent $0.012000, estimated to finish $0.036000` (spent per call
 * made × calls left; unpriced calls are named, never counted as $0, and the estimate covers the priced share only).
 */
export function costPhrase(tally: RunTally): string {
  const made = tally.pricedCalls + tally.unpricedCalls;
  const remaining = Math.max(0, tally.total - tally.done);
  const spent = formatCost(tally.spentUsd, tally.pricedCalls, tally.unpricedCalls);
  if (made === 0) return `spent ${spent}, estimated to finish unknown`;
  if (tally.pricedCalls === 0) return `cost ${spent}`;
  if (remaining === 0) return `spent ${spent}`;
  const estimate = formatUsd((tally.spentUsd / made) * remaining);
  return `spent ${spent}, estimated to finish ${estimate}${tally.unpricedCalls > 0 ? " + unpriced calls" : ""}`;
}

/** h:mm:ss */
function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const pad = (value: number): string => String(value).padStart(2, "0");
  return `${Math.floor(seconds / 3600)}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`;
}
