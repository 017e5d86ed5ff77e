import pLimit from "p-limit";
import type { AdmissionDecision } from "./admission.js";
import type { RunContext, RunItem } from "./run-context.js";

export type { RunItem } from "./run-context.js";

import { type CallSlot, type ConversationJob, runConversation } from "./run-conversation.js";

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
  const admissionStop: { reason?: string } = {};
  await Promise.all(Array.from({ length: workers }, () => work(context, jobs, slot, admissionStop)));
  const status = context.stopSignal.aborted || admissionStop.reason !== undefined ? "cancelled" : "success";
  context.events.emit("run-end", {
    runId: context.runId,
    status,
    ...(admissionStop.reason === undefined ? {} : { stopReason: admissionStop.reason }),
  });
  return status;
}

/** Call slots shared by every conversation that runs them: at most `concurrency` calls in flight. */
export function callSlots(concurrency: number): CallSlot {
  const limit = pLimit(concurrency);
  return (call) => limit(call);
}

async function work(
  context: RunContext,
  jobs: Iterator<ConversationJob>,
  slot: CallSlot,
  admissionStop: { reason?: string },
): Promise<void> {
  for (;;) {
    if (context.stopSignal.aborted || admissionStop.reason !== undefined) return;
    const next = jobs.next();
    if (next.done === true) return;
    const decision = context.admission?.admit(next.value) ?? START;
    if (decision.kind === "skip") continue;
    if (decision.kind === "stop") {
      admissionStop.reason ??= decision.reason;
      return;
    }
    await runConversation(context, next.value, slot);
    context.admission?.finished(next.value);
  }
}

const START: AdmissionDecision = { kind: "start" };

function* conversationJobs(context: RunContext, items: Iterable<RunItem>): Generator<ConversationJob> {
  for (const { item, version } of context.order === undefined ? items : context.order(items)) {
    for (const target of context.targets) yield { item, itemVersion: version, target };
  }
}
