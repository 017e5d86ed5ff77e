import { SingleBar, Presets } from "cli-progress";
import type { RunEvents } from "../runner/index.js";

/**
 * Renders run events as a progress bar on stderr: done/total calls, calls per second, tokens, errors, ETA.
 * A listener only: the runner knows nothing of terminals. Returns a function that stops rendering.
 */
export function attachProgressBar(events: RunEvents, stream: NodeJS.WriteStream = process.stderr): () => void {
  const bar = new SingleBar(
    {
      stream,
      format: "{bar} {value}/{total} calls | {rate} calls/s | tokens {tokens} | errors {errors} | unscored {unscored} | ETA {eta_formatted}",
      hideCursor: true,
      etaBuffer: 200,
      fps: 5,
      noTTYOutput: false,
    },
    Presets.shades_classic,
  );
  const started = Date.now();
  let done = 0;
  let tokens = 0;
  let errors = 0;
  let unscored = 0;
  const payload = (): Record<string, string | number> => ({
    rate: ((done / Math.max(1, Date.now() - started)) * 1000).toFixed(1),
    tokens,
    errors,
    unscored,
  });
  const advance = (calls: number): void => {
    done += calls;
    bar.update(done, payload());
  };
  const unsubscribe = [
    events.on("run-start", (event) => bar.start(event.calls, 0, payload())),
    events.on("turn-end", (event) => {
      tokens += event.usage.inputTokens + event.usage.outputTokens;
      if (event.status === "error") errors += 1;
      advance(1);
    }),
    events.on("judgment-end", (event) => {
      tokens += event.usage.inputTokens + event.usage.outputTokens;
      if (event.status === "error") errors += 1;
      if (event.status === "unscored") unscored += 1;
      advance(1);
    }),
    events.on("calls-dropped", (event) => {
      bar.setTotal(bar.getTotal() - event.calls);
      advance(0);
    }),
  ];
  return () => {
    for (const stop of unsubscribe) stop();
    bar.stop();
  };
}
