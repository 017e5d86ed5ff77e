import { describe, expect, it } from "vitest";
import { type BenchmarkItem, benchmarkItemSchema } from "../datasets/index.js";
import { loadRubric } from "../judges/index.js";
import { MockChatModel } from "../testing/index.js";
import { RunEvents } from "./events.js";
import { createPrecisionSampling, type PrecisionSettings, samplingOrder } from "./precision-sampling.js";
import type { ConversationJob, RunItem, RunJudge, RunTarget } from "./run-context.js";

const SAFETY = loadRubric("jmedethic-safety");
const HARM = loadRubric("medsafetybench-harm");
const model = new MockChatModel("unused", { spec: "mock:unused" });
const TARGET: RunTarget = { id: "t", model };
const JUDGES: RunJudge[] = [
  { id: "j1", model, sampling: {} },
  { id: "j2", model, sampling: {} },
  // A judge on another rubric: its scores never enter the Safety Pass Rate.
  { id: "harm", model, rubric: HARM, sampling: {} },
];

function item(index: number, extra: Partial<BenchmarkItem> = {}): RunItem {
  return {
    item: benchmarkItemSchema.parse({
      id: `i-${String(index).padStart(3, "0")}`,
      language: index % 2 === 0 ? "en" : "ja",
      guidelineId: `g${index % 3}`,
      strategy: "s",
      seedRequest: "seed",
      turns: ["one", "two"],
      ...extra,
    }),
    version: "v",
  };
}

const SETTINGS: PrecisionSettings = { precision: 0.2, minSample: 10, seed: 7, passThreshold: 2 };

function setUp(items: readonly RunItem[], settings = SETTINGS) {
  const events = new RunEvents();
  const sampling = createPrecisionSampling(settings, {
    targetIds: [TARGET.id],
    judges: JUDGES,
    rubricFor: () => SAFETY,
    events,
  });
  const ordered = [...sampling.order(items)];
  const dropped: number[] = [];
  events.on("calls-dropped", (event) => {
    if (event.reason === "precision") dropped.push(event.calls);
  });
  const job = (run: RunItem): ConversationJob => ({ item: run.item, itemVersion: run.version, target: TARGET });
  /** Emits both turns' verdicts of a conversation: judges j1 and j2 give `score`, the harm judge always 1. */
  const judge = (run: RunItem, score: number | undefined): void => {
    for (const turnIndex of [0, 1]) {
      for (const judgeId of ["j1", "j2", "harm"]) {
        const value = judgeId === "harm" ? 1 : score;
        events.emit("judgment-end", {
          targetId: TARGET.id,
          itemId: run.item.id,
          turnIndex,
          judgeId,
          status: value === undefined ? "unscored" : "scored",
          cached: false,
          usage: { inputTokens: 0, outputTokens: 0 },
          costUsd: 0,
          ...(value === undefined ? {} : { score: value }),
        });
      }
    }
  };
  return { sampling, ordered, job, judge, dropped };
}

describe("precision-driven sampling", () => {
  const items = Array.from({ length: 200 }, (_, index) => item(index));

  it("orders the items by the seeded stratified order, the same for any input order", () => {
    const { ordered } = setUp(items);
    expect(ordered.map(({ item }) => item.id)).toEqual(samplingOrder(items, 7).map(({ item }) => item.id));
    expect(samplingOrder([...items].reverse(), 7).map(({ item }) => item.id)).toEqual(
      ordered.map(({ item }) => item.id),
    );
    expect(ordered.map(({ item }) => item.id)).not.toEqual(items.map(({ item }) => item.id));
  });

  it("skips a target once its interval is narrow enough with the minimum sample, and not before", () => {
    const { sampling, ordered, job, judge, dropped } = setUp(items);
    let started = 0;
    for (const run of ordered) {
      const decision = sampling.admission.admit(job(run));
      if (decision.kind === "skip") break;
      expect(decision.kind).toBe("start");
      started += 1;
      judge(run, 9); // every turn passes (the harm judge's 1 is ignored)
      sampling.admission.finished(job(run));
    }
    const [status] = sampling.status();
    expect(status?.stoppedByPrecision).toBe(true);
    expect(started).toBeGreaterThanOrEqual(10);
    expect(started).toBeLessThan(200);
    expect(status?.design).toMatchObject({ used: started, decided: started, passed: started, met: true });
    expect(status?.design.interval.halfWidth).toBeLessThanOrEqual(0.2);
    // One more conversation earlier would not have met it.
    expect(started).toBe(firstMet(200, started));
    // Every later conversation is skipped too.
    for (const run of ordered.slice(started)) expect(sampling.admission.admit(job(run)).kind).toBe("skip");
    // Each skipped conversation's calls (2 turns × (target + 3 judges)) leave the progress total.
    // (The loop above asked once for the first skipped conversation, which the line before asked again.)
    expect(dropped).toEqual(Array.from({ length: 200 - started + 1 }, () => 8));
    sampling.dispose();
  });

  it("feeds outcomes in draw order: a conversation that finishes early waits for the ones drawn before it", () => {
    const { sampling, ordered, job, judge } = setUp(items);
    const [first, second, third] = ordered as [RunItem, RunItem, RunItem];
    for (const run of [first, second, third]) sampling.admission.admit(job(run));
    judge(third, 9);
    sampling.admission.finished(job(third));
    judge(second, 1);
    sampling.admission.finished(job(second));
    expect(sampling.status()[0]?.design.used).toBe(0);
    judge(first, 9);
    sampling.admission.finished(job(first));
    expect(sampling.status()[0]?.design).toMatchObject({ used: 3, decided: 3, passed: 2 });
  });

  it("counts a conversation with an unscored turn and no failure as undecided, a failing turn as failed", () => {
    const { sampling, ordered, job, judge } = setUp(items);
    const [first, second] = ordered as [RunItem, RunItem];
    sampling.admission.admit(job(first));
    sampling.admission.admit(job(second));
    judge(first, undefined);
    sampling.admission.finished(job(first));
    judge(second, 2); // 2 is not above the pass threshold 2: failed
    sampling.admission.finished(job(second));
    expect(sampling.status()[0]?.design).toMatchObject({ used: 2, decided: 1, passed: 0, undecided: 1 });
  });

  it("does not sample items on another rubric: they follow in stored order and always start", () => {
    const mixed = [...items.slice(0, 20), item(900, { rubric: "medsafetybench-harm" })];
    const { sampling, ordered, job } = setUp(mixed, { ...SETTINGS, minSample: 1, precision: 0.5 });
    expect(ordered.at(-1)?.item.id).toBe("i-900");
    expect(sampling.status()[0]?.design.population).toBe(20);
    expect(sampling.admission.admit(job(ordered.at(-1) as RunItem)).kind).toBe("start");
  });
});

/** The first n at which a fresh tracker over all-passing draws meets the rule (the admission must stop there). */
function firstMet(population: number, upTo: number): number {
  const { sampling, ordered, job, judge } = setUp(Array.from({ length: population }, (_, index) => item(index)));
  for (let n = 0; n < upTo; n += 1) {
    const run = ordered[n] as RunItem;
    sampling.admission.admit(job(run));
    judge(run, 9);
    sampling.admission.finished(job(run));
    if (sampling.status()[0]?.design.met === true) return n + 1;
  }
  return upTo;
}
