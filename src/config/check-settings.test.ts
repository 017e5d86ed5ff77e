import { describe, expect, it } from "vitest";
import { BONFERRONI_FAMILIES } from "../report/index.js";
import { CONFIG_BONFERRONI_FAMILIES } from "./check-settings.js";
import { configSchema } from "./schema.js";

const minimal = {
  targets: [{ id: "t", model: "openai:gpt-4o-mini" }],
  judges: [{ id: "j", model: "openai:gpt-4o-mini" }],
};

describe("analysis and check settings", () => {
  it("offer the report's Bonferroni families", () => {
    expect(CONFIG_BONFERRONI_FAMILIES).toEqual(BONFERRONI_FAMILIES);
  });

  it("read a family and thresholds, and reject unknown keys and out-of-range values", () => {
    const parsed = configSchema.parse({
      ...minimal,
      analysis: { bonferroniFamily: "consecutive" },
      check: { minPassRate: 0.9, maxMeanDrop: 0.5, maxErrorRate: 0.01, baseline: "run-1" },
    });
    expect(parsed.analysis?.bonferroniFamily).toBe("consecutive");
    expect(parsed.check).toEqual({ minPassRate: 0.9, maxMeanDrop: 0.5, maxErrorRate: 0.01, baseline: "run-1" });
    expect(configSchema.safeParse({ ...minimal, analysis: { bonferroniFamily: "holm" } }).success).toBe(false);
    expect(configSchema.safeParse({ ...minimal, check: { minPassRate: 1.5 } }).success).toBe(false);
    expect(configSchema.safeParse({ ...minimal, check: { minPassrate: 0.9 } }).success).toBe(false);
  });
});
