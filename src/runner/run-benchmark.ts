import pLimit from "p-limit";
import type { AdmissionDecision } from "./admission.js";
import type { RunContext, RunItem, RunTarget } from "./run-context.js";

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
  // Every target answers each item once per epoch (decision 0030).
  const answers = totalEpochs(context.targets);
  const calls = totals.turns * answers * (1 + context.judges.length);
  context.events.emit("run-start", {
    runId: context.runId,
    conversations: totals.conversations * answers,
    calls,
  });
  const slot = callSlots(context.concurrency);
  const jobs = conversationJobs(context, items);
  // More conversations than call slots, so that slots stay busy while conversations wait between turns. With a
  // batch binding (decision 0019) every conversation is open at once: its calls wait for batches, not slots, and
  // each round (all first turns, then their judgments and second turns...) goes out as one batch.
  const batching =
    context.targets.some((target) => target.batch === true) || context.judges.some((judge) => judge.batch === true);
  const admissionStop: { reason?: string } = {};
  if (batching && context.batchWindow !== undefined) {
    // Precision-driven sampling with a batch binding (decision 0022): every conversation open at once would be
    // admitted before any outcome is known, so they go in waves of at most window × targets, each through its batch
    // rounds, and the admission decides the next wave once every outcome of the last one is in.
    await waves(context, jobs, slot, admissionStop, Math.max(1, context.batchWindow * context.targets.length));
  } else {
    const everyConversation = totals.conversations * answers;
    const workers = Math.max(1, context.concurrency * 2, batching ? everyConversation : 0);
    await Promise.all(Array.from({ length: workers }, () => work(context, jobs, slot, admissionStop)));
  }
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

/** Runs the admitted conversations in waves of at most `size`: the next wave is admitted once the last one ended. */
async function waves(
  context: RunContext,
  jobs: Iterator<ConversationJob>,
  slot: CallSlot,
  admissionStop: { reason?: string },
  size: number,
): Promise<void> {
  for (;;) {
    const wave: Promise<void>[] = [];
    while (wave.length < size && !context.stopSignal.aborted && admissionStop.reason === undefined) {
      const next = jobs.next();
      if (next.done === true) break;
      const job = next.value;
      const decision = context.admission?.admit(job) ?? START;
      if (decision.kind === "skip") continue;
      if (decision.kind === "stop") {
        admissionStop.reason ??= decision.reason;
        break;
      }
      wave.push(runConversation(context, job, slot).then(() => context.admission?.finished(job)));
    }
    if (wave.length === 0) return;
    await Promise.all(wave);
  }
}

const START: AdmissionDecision = { kind: "start" };

/** The conversations per item over all targets: each target's `epochs` (absent: 1), summed (decision 0030). */
export function totalEpochs(targets: readonly Pick<RunTarget, "epochs">[]): number {
  return targets.reduce((sum, target) => sum + (target.epochs ?? 1), 0);
}

/** Item by item, each target's epochs in order: an item's epochs run close together (decision 0030). */
function* conversationJobs(context: RunContext, items: Iterable<RunItem>): Generator<ConversationJob> {
  for (const { item, version } of context.order === undefined ? items : context.order(items)) {
    for (const target of context.targets) {
      const epochs = target.epochs ?? 1;
      for (let epoch = 0; epoch < epochs; epoch += 1)
        yield epoch === 0 ? { item, itemVersion: version, target } : { item, itemVersion: version, target, epoch };
    }
  }
}
