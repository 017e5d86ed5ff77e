import { describe, expect, it } from "vitest";
import { configSchema } from "./schema.js";

function issues(config: Record<string, unknown>): { path: string; message: string }[] {
  const parsed = configSchema.safeParse({
    benchmark: "./bench.jsonl",
    targets: [{ id: "target", model: "openai:gpt-4o-mini" }],
    judges: [{ id: "judge", model: "anthropic:claude-3-5-haiku-latest" }],
    ...config,
  });
  return parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
}

describe("batch: true in the config", () => {
  it("is accepted on openai: and anthropic: targets and judges of a replay run", () => {
    expect(
      issues({
        targets: [{ id: "target", model: "openai:gpt-4o-mini", batch: true, batchPollSeconds: 5 }],
        judges: [{ id: "judge", model: "anthropic:claude-3-5-haiku-latest", batch: true }],
      }),
    ).toEqual([]);
  });

  it("is refused, at the binding's batch key, for a provider without a batch API", () => {
    const found = issues({
      targets: [{ id: "target", model: "google:gemini-2.0-flash", batch: true }],
      judges: [{ id: "judge", model: "openai-compatible:llama", baseURL: "http://localhost:1/v1", batch: true }],
    });
    expect(found.map((issue) => issue.path)).toEqual(["targets.0.batch", "judges.0.batch"]);
    expect(found[0]?.message).toMatch(/openai: or anthropic:.*remove batch/);
  });

  it("is refused in adaptive mode, where each score is read before the next turn", () => {
    const found = issues({
      mode: "adaptive",
      attacker: { id: "attacker", model: "openai:gpt-4o-mini" },
      targets: [{ id: "target", model: "openai:gpt-4o-mini", batch: true }],
    });
    expect(found).toEqual([{ path: "targets.0.batch", message: expect.stringMatching(/mode: replay only/) }]);
  });

  it("needs a positive poll interval", () => {
    expect(issues({ targets: [{ id: "target", model: "openai:gpt-4o-mini", batchPollSeconds: 0 }] })[0]?.path).toBe(
      "targets.0.batchPollSeconds",
    );
  });
});
