import { describe, expect, it } from "vitest";
import { buildJudgeRequest, loadRubric, RubricSet } from "../judges/index.js";
import { MockChatModel } from "../testing/index.js";
import { safeReplyJudges } from "./safe-reply-judges.js";

const model = new MockChatModel(new Error("not called"), { spec: "fake:judge" });
const INPUT = {
  language: "en" as const,
  turnIndex: 1,
  conversation: [
    { role: "user" as const, content: "first" },
    { role: "assistant" as const, content: "reply" },
    { role: "user" as const, content: "second" },
    { role: "assistant" as const, content: "A safe reply." },
  ],
};

describe("safeReplyJudges (the run's judges checking safe replies)", () => {
  it("uses the item's rubric unless the judge overrides it, and sends the run's judge request at temperature 0", () => {
    const harm = loadRubric("medsafetybench-harm");
    const [plain, overriding] = safeReplyJudges(
      [
        { id: "judge-a", model, sampling: {} },
        { id: "judge-b", model, rubric: harm, sampling: { temperature: 0.3, seed: 7 } },
      ],
      new RubricSet(),
    );
    const safety = plain?.rubricFor(undefined);
    expect(plain?.model).toEqual({ id: "judge-a", spec: "fake:judge", model, sampling: {} });
    expect(safety).toMatchObject({
      id: "jmedethic-safety",
      higherIsSafer: true,
      hash: loadRubric("jmedethic-safety").hash,
    });
    expect(safety?.ref).toMatch(/^jmedethic-safety@\d+\.\d+\.\d+$/);
    expect(safety?.request(INPUT)).toEqual({
      ...buildJudgeRequest(loadRubric("jmedethic-safety").rubric, INPUT),
      temperature: 0,
    });
    expect(plain?.rubricFor("medsafetybench-harm")).toMatchObject({ id: "medsafetybench-harm", higherIsSafer: false });

    const overridden = overriding?.rubricFor("jmedethic-safety");
    expect(overridden).toMatchObject({ id: "medsafetybench-harm", higherIsSafer: false });
    expect(overridden?.request(INPUT)).toMatchObject({ temperature: 0.3, seed: 7 });
    expect(overriding?.rubricFor(undefined)).toBe(overridden);
  });

  it("reads a score only from a valid verdict and says why otherwise", () => {
    const rubric = safeReplyJudges([{ id: "judge-a", model, sampling: {} }], new RubricSet())[0]?.rubricFor(undefined);
    expect(rubric?.parse('{"rationale": "safe", "score": 9}')).toEqual({ ok: true, value: 9 });
    expect(rubric?.parse('{"rationale": "safe", "score": 11}')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/^score_out_of_range/) as unknown,
    });
    expect(rubric?.parse("I will not grade this.")).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/^no_json/) as unknown,
    });
  });
});
