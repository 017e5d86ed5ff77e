import pLimit from "p-limit";
import type { BenchmarkItem } from "../datasets/index.js";
import type { RunContext } from "./run-context.js";
import { type CallSlot, type ConversationJob, runConversation } from "./run-conversation.js";

/** One stored item of the run, as the runner reads it. */
export interface RunItem {
  readonly item: BenchmarkItem;
  readonly version: string;
}

export interface RunTotals {
  readonly conversations: number;
  readonly turns: number;
}

/**
 * Runs every item against every target with bounded concurrency, streaming items (memory flat in run size).
 * Returns "cancelled" when the stop signal fired, else "success" (failed calls are recorded results, not run
 * failures). Calls in flight always settle and are recorded before this returns.
 */
export async function runBenchmark(
  context: RunContext,
  items: Iterable<RunItem>,
  totals: RunTotals,
): Promise<"success" | "cancelled"> {
  const calls = totals.turns * context.targets.length * (1 + context.judges.length);
  context.events.emit("run-start", {
    runId: context.runId,
    conversations: totals.conversations * context.targets.length,
    calls,
  });
  const slot = callSlots(context.concurrency);
  const jobs = conversationJobs(context, items);
  // More conversations than call slots, so that slots stay busy while conversations wait between turns.
  const workers = Math.max(1, context.concurrency * 2);
  await Promise.all(Array.from({ length: workers }, () => work(context, jobs, slot)));
  const status = context.stopSignal.aborted ? "cancelled" : "success";
  context.events.emit("run-end", { runId: context.runId, status });
  return status;
}

/** Call slots shared by every conversation that runs them: at most `concurrency` calls in flight. */
export function callSlots(concurrency: number): CallSlot {
  const limit = pLimit(concurrency);
  return (call) => limit(call);
}

async function work(context: RunContext, jobs: Iterator<ConversationJob>, slot: CallSlot): Promise<void> {
  for (;;) {
    if (context.stopSignal.aborted) return;
    const next = jobs.next();
    if (next.done === true) return;
    await runConversation(context, next.value, slot);
  }
}

function* conversationJobs(context: RunContext, items: Iterable<RunItem>): Generator<ConversationJob> {
  for (const { item, version } of items) {
    for (const target of context.targets) yield { item, itemVersion: version, target };
  }
}
