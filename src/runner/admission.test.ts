import { describe, expect, it } from "vitest";
import { MockChatModel } from "../testing/index.js";
import { type AdmissionDecision, type ConversationAdmission, combineAdmissions } from "./admission.js";
import type { ConversationJob } from "./run-context.js";

const JOB: ConversationJob = {
  item: {
    id: "item",
    language: "en",
    guidelineId: "g",
    strategy: "s",
    seedRequest: "x",
    turns: ["hello"],
    metadata: {},
  },
  itemVersion: "v",
  target: { id: "t", model: new MockChatModel("ok") },
};

/** An admission that always says `decision` and logs what it was asked and told. */
function admission(name: string, decision: AdmissionDecision, log: string[]): ConversationAdmission {
  return {
    admit: () => {
      log.push(`${name}:admit`);
      return decision;
    },
    finished: () => log.push(`${name}:finished`),
  };
}

describe("combineAdmissions", () => {
  it("starts when every admission says start, and tells every one that the conversation finished", () => {
    const log: string[] = [];
    const combined = combineAdmissions([
      admission("a", { kind: "start" }, log),
      admission("b", { kind: "start" }, log),
    ]);
    expect(combined.admit(JOB)).toEqual({ kind: "start" });
    combined.finished(JOB);
    expect(log).toEqual(["a:admit", "b:admit", "a:finished", "b:finished"]);
  });

  it("a skip is the decision and the admissions after it are not asked (they would count it as started)", () => {
    const log: string[] = [];
    const combined = combineAdmissions([
      admission("sampling", { kind: "skip" }, log),
      admission("budget", { kind: "stop", reason: "budget" }, log),
    ]);
    expect(combined.admit(JOB)).toEqual({ kind: "skip" });
    expect(log).toEqual(["sampling:admit"]);
  });

  it("a stop is the decision, with its reason", () => {
    const log: string[] = [];
    const combined = combineAdmissions([
      admission("sampling", { kind: "start" }, log),
      admission("budget", { kind: "stop", reason: "budget" }, log),
    ]);
    expect(combined.admit(JOB)).toEqual({ kind: "stop", reason: "budget" });
    expect(log).toEqual(["sampling:admit", "budget:admit"]);
  });
});
