import { Presets, SingleBar } from "cli-progress";
import type { GenerationEvents } from "../generation/index.js";

/**
 * Renders generation events as a progress bar on stderr: tasks done/total, tasks per second, tokens in/out,
 * failed (invalid output) and errors, ETA. A listener only. Returns a function that stops rendering.
 */
export function attachGenerationProgress(
  events: GenerationEvents,
  stream: NodeJS.WriteStream = process.stderr,
): () => void {
  const bar = new SingleBar(
    {
      stream,
      format:
        "{bar} {value}/{total} tasks | {rate}/s | tokens in {input} out {output} | reused {reused} | failed {failed} | errors {errors} | ETA {eta_formatted}",
      hideCursor: true,
      etaBuffer: 200,
      fps: 5,
      noTTYOutput: false,
    },
    Presets.shades_classic,
  );
  const started = Date.now();
  const totals = { done: 0, input: 0, output: 0, reused: 0, failed: 0, errors: 0 };
  const payload = (): Record<string, string | number> => ({
    rate: ((totals.done / Math.max(1, Date.now() - started)) * 1000).toFixed(1),
    input: totals.input,
    output: totals.output,
    reused: totals.reused,
    failed: totals.failed,
    errors: totals.errors,
  });
  const unsubscribe = [
    events.on("job-start", (event) => bar.start(event.tasks, 0, payload())),
    events.on("total-change", (event) => bar.setTotal(bar.getTotal() + event.delta)),
    events.on("task-end", (event) => {
      totals.done += 1;
      totals.input += event.usage.inputTokens;
      totals.output += event.usage.outputTokens;
      if (event.reused) totals.reused += 1;
      if (event.status === "failed") totals.failed += 1;
      if (event.status === "error") totals.errors += 1;
      bar.update(totals.done, payload());
    }),
  ];
  return () => {
    for (const stop of unsubscribe) stop();
    bar.stop();
  };
}
