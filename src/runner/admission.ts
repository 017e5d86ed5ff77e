import type { ConversationJob } from "./run-conversation.js";

/**
 * What an admission says of a conversation about to start: `start` it; `skip` it (its target needs no more
 * conversations, e.g. its estimate is precise enough); or `stop` starting conversations altogether (e.g. the budget
 * would be passed), which ends the run `cancelled` with `reason` once the conversations in flight settle.
 */
export type AdmissionDecision =
  | { readonly kind: "start" }
  | { readonly kind: "skip" }
  | { readonly kind: "stop"; readonly reason: string };

/**
 * Decides which conversations start (budgets, precision-driven sampling). `admit` is called just before a conversation
 * starts, `finished` once it ended and its calls were recorded (not for skipped ones).
 */
export interface ConversationAdmission {
  admit(job: ConversationJob): AdmissionDecision;
  finished(job: ConversationJob): void;
}

/** Several admissions in turn: the first `stop` wins, then the first `skip`; every one hears `finished`. */
export function combineAdmissions(admissions: readonly ConversationAdmission[]): ConversationAdmission {
  return {
    admit: (job) => {
      let decision: AdmissionDecision = { kind: "start" };
      for (const admission of admissions) {
        const next = admission.admit(job);
        if (next.kind === "stop") return next;
        if (next.kind === "skip") decision = next;
      }
      return decision;
    },
    finished: (job) => {
      for (const admission of admissions) admission.finished(job);
    },
  };
}
