/** A target's `baseModel` (and its older name `fineTuneOf`) names another target; both set must agree. */
import { describe, expect, it } from "vitest";
import { configSchema } from "./schema.js";

function issues(targets: Record<string, unknown>[]): { path: string; message: string }[] {
  const parsed = configSchema.safeParse({
    benchmark: "./bench.jsonl",
    targets,
    judges: [{ id: "judge", model: "anthropic:claude-3-5-haiku-latest" }],
  });
  return parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
}

const base = { id: "qwen3-8b", model: "openai:qwen3-8b", family: "Qwen3", parameters: "8B", category: "open" };

describe("baseModel in the config", () => {
  it("is accepted with the metadata when it names another target, and so is the older fineTuneOf", () => {
    expect(
      issues([
        base,
        { id: "ii-medical-8b", model: "openai:ii-medical-8b", baseModel: "qwen3-8b", category: "medical" },
        { id: "old-style", model: "openai:old", fineTuneOf: "qwen3-8b", provider: "Alibaba" },
        { id: "both-same", model: "openai:both", fineTuneOf: "qwen3-8b", baseModel: "qwen3-8b" },
      ]),
    ).toEqual([]);
  });

  it("is refused, at its key, when it names no other target, saying which ids there are", () => {
    const found = issues([
      base,
      { id: "ii-medical-8b", model: "openai:ii-medical-8b", baseModel: "qwen3-8", category: "medical" },
      { id: "self", model: "openai:self", baseModel: "self" },
      { id: "old-style", model: "openai:old", fineTuneOf: "nothing" },
    ]);
    expect(found.map((issue) => issue.path)).toEqual([
      "targets.1.baseModel",
      "targets.2.baseModel",
      "targets.3.fineTuneOf",
    ]);
    expect(found[0]?.message).toContain(
      `"qwen3-8" is not another target's id; set baseModel to the id of the base model's target (qwen3-8b, self, old-style)`,
    );
  });

  it("is refused when baseModel and fineTuneOf are both set and differ", () => {
    const found = issues([
      base,
      { id: "other", model: "openai:other" },
      { id: "tuned", model: "openai:tuned", baseModel: "qwen3-8b", fineTuneOf: "other" },
    ]);
    expect(found).toEqual([
      {
        path: "targets.2.fineTuneOf",
        message:
          'baseModel "qwen3-8b" and fineTuneOf "other" differ; fineTuneOf is the older name of baseModel: keep only baseModel',
      },
    ]);
  });

  it("refuses a size not written as the config says", () => {
    const found = issues([{ ...base, parameters: "8 billion" }]);
    expect(found.map((issue) => issue.path)).toEqual(["targets.0.parameters"]);
  });
});
