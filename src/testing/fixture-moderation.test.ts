import { describe, expect, it } from "vitest";
import { answerModeration } from "./fixture-moderation.js";

describe("the fixture's moderation endpoint", () => {
  it("answers omni models with the illicit categories and the applied input types, one result per input", async () => {
    const answer = await answerModeration(
      () => ({ kind: "result", flagged: ["illicit"], scores: { hate: 0.2 } }),
      { model: "omni-moderation-latest", input: [{ type: "text", text: "a" }, "b"] },
      3,
    );
    expect(answer.status).toBe(200);
    const body = answer.body as { id: string; results: Array<Record<string, Record<string, unknown> | boolean>> };
    expect(body.id).toBe("modr-fixture-3");
    expect(body.results).toHaveLength(2);
    expect(body.results[0]).toMatchObject({
      flagged: true,
      categories: { illicit: true, hate: false },
      category_scores: { illicit: 0.9, hate: 0.2, violence: 0.0001 },
      category_applied_input_types: { illicit: ["text"] },
    });
  });

  it("answers text-moderation models without the omni-only fields", async () => {
    const answer = await answerModeration(undefined, { model: "text-moderation-latest", input: "a" }, 0);
    const result = (answer.body as { results: Array<Record<string, Record<string, unknown> | boolean>> }).results[0];
    expect(result?.["flagged"]).toBe(false);
    expect(Object.keys(result?.["categories"] as object)).not.toContain("illicit");
    expect(result?.["category_applied_input_types"]).toBeUndefined();
  });

  it("errors come in OpenAI's shape; a request without input is a 400", async () => {
    const limited = await answerModeration(
      () => ({ kind: "error", status: 429, headers: { "retry-after": "2" } }),
      { model: "omni-moderation-latest", input: "a" },
      0,
    );
    expect(limited).toMatchObject({
      status: 429,
      headers: { "retry-after": "2" },
      body: { error: { code: "rate_limit_exceeded" } },
    });
    expect(await answerModeration(undefined, { model: "omni-moderation-latest" }, 0)).toMatchObject({ status: 400 });
  });
});
