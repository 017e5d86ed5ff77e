import { describe, expect, it } from "vitest";
import type { CallOutcomeCount } from "../store/index.js";
import { assessRunHealth } from "./run-health.js";

const ok = (role: CallOutcomeCount["role"], modelId: string, calls: number): CallOutcomeCount => ({
  role,
  modelId,
  outcome: "ok",
  code: "",
  httpStatus: null,
  calls,
});
const failed = (
  role: CallOutcomeCount["role"],
  modelId: string,
  outcome: "error" | "unscored",
  code: string,
  calls: number,
  httpStatus: number | null = null,
): CallOutcomeCount => ({ role, modelId, outcome, code, httpStatus, calls });

describe("assessRunHealth", () => {
  it("passes a run whose every model succeeded often enough", () => {
    const health = assessRunHealth(
      [
        ok("target", "t", 100),
        failed("target", "t", "error", "provider_http", 2, 500),
        ok("judge", "j", 98),
        failed("judge", "j", "unscored", "no_json", 2),
      ],
      0.05,
    );
    expect(health.problems).toEqual([]);
    expect(health).toMatchObject({ calls: 202, errors: 2, unscored: 2 });
  });

  it("fails a target whose every call failed, naming the code and HTTP status", () => {
    const health = assessRunHealth(
      [failed("target", "t", "error", "provider_http", 12, 404), ok("target", "u", 12), ok("judge", "j", 12)],
      0.05,
    );
    expect(health.problems).toEqual([
      {
        modelId: "t",
        role: "target",
        kind: "no-success",
        message: 'target "t" had no successful call: 12 of 12 failed (provider_http 404 ×12)',
      },
    ]);
  });

  it("fails a judge with no valid verdict, errors and unscored alike", () => {
    const health = assessRunHealth(
      [
        ok("target", "t", 4),
        failed("judge", "j", "error", "provider_response_invalid", 3),
        failed("judge", "j", "unscored", "no_json", 1),
      ],
      0.05,
    );
    expect(health.problems.map((problem) => problem.message)).toEqual([
      'judge "j" had no successful call: 4 of 4 gave no valid verdict (provider_response_invalid ×3, no_json ×1 (unscored))',
    ]);
  });

  it("fails a model whose share of calls without a result exceeds maxErrorRate, and only that model", () => {
    const counts = [
      ok("target", "t", 90),
      failed("target", "t", "error", "provider_http", 10, 429),
      ok("judge", "j", 100),
    ];
    expect(assessRunHealth(counts, 0.05).problems.map((problem) => [problem.modelId, problem.kind])).toEqual([
      ["t", "failure-share"],
    ]);
    expect(assessRunHealth(counts, 0.1).problems).toEqual([]);
  });

  it("fails an expected model that made no call at all", () => {
    const health = assessRunHealth([failed("target", "t", "error", "provider_http", 3, 404)], 0.05, [
      { role: "target", modelId: "t" },
      { role: "judge", modelId: "j" },
    ]);
    expect(health.problems.map((problem) => problem.message)).toContain(
      'judge "j" made no call (every conversation failed before reaching it)',
    );
  });
});
