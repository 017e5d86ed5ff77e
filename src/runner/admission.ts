import type { AdmissionDecision, ConversationAdmission } from "./run-context.js";

export type { AdmissionDecision, ConversationAdmission } from "./run-context.js";

/**
 * Several admissions in turn, each asked only while the ones before said `start`: the first `stop` or `skip` is the
 * decision, and the admissions after it are not asked (an admission that said `start` may count the conversation as
 * started, e.g. a budget's money in flight, so a skipped conversation must not reach it: list skipping admissions
 * first). Every one hears `finished`.
 */
export function combineAdmissions(admissions: readonly ConversationAdmission[]): ConversationAdmission {
  return {
    admit: (job) => {
      for (const admission of admissions) {
        const next = admission.admit(job);
        if (next.kind !== "start") return next;
      }
      return START;
    },
    finished: (job) => {
      for (const admission of admissions) admission.finished(job);
    },
  };
}

const START: AdmissionDecision = { kind: "start" };
