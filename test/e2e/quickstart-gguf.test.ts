/**
 * `medsafety quickstart` on a real tiny GGUF model (slow tier: needs ../shared/models): the whole path a new user
 * takes, through the real binary.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sharedModel, skipWithout } from "../support/requirements.js";
import { printedRunId, runCli, SHARED_MODELS, tempProject } from "./cli-harness.js";

const storyModel = join(SHARED_MODELS, "stories260K.gguf");

describe("medsafety quickstart (e2e, GGUF)", () => {
  it.skipIf(skipWithout(sharedModel("stories260K.gguf")))(
    "runs the sample on a local GGUF (target + two judges) and prints the report",
    async () => {
      const folder = tempProject();
      const result = await runCli(["quickstart", "--language", "en", "--limit", "2", "--format", "json"], {
        cwd: folder,
        env: { MEDSAFETY_MODEL: storyModel },
      });
      // The 260K story model cannot hold the rubric (below): no judge ever scores, so the run fails its end-of-run
      // check: exit 4, the summary names each judge and the error, the report is still printed and the run is "error".
      expect(result.code, result.stderr).toBe(4);
      expect(result.stderr).toContain(`model: ${storyModel} (env)`);
      expect(result.stderr).toMatch(/judge local-judge-a: 0 of 6 scored; \S+ ×6/);
      expect(result.stderr).toContain('judge "local-judge-b" had no successful call: 6 of 6 gave no valid verdict');
      expect(result.stdout).toContain("resume: npx medsafety run --resume");
      const runId = printedRunId(result.stdout);
      const report = JSON.parse(result.stdout.slice(result.stdout.indexOf("{")));
      expect(report.run.id).toBe(runId);
      expect(report.run.status).toBe("error");
      expect(existsSync(join(folder, ".medsafety", "medsafety.db"))).toBe(true);
      const [target] = report.targets;
      expect(target.targetId).toBe("local-target");
      expect(target.conversations).toBe(2);
      expect(target.errorTurns).toBe(0);
      // The 260K story model's 2,048-token context cannot hold the rubric prompt: every verdict is a recorded
      // judge error (never a made-up score), and the report counts them.
      expect(
        report.judges.map(
          (judge: { scored: number; unscored: number; errors: number }) => judge.scored + judge.unscored + judge.errors,
        ),
      ).toEqual([6, 6]);
      expect(report.run.usage.targetCalls).toBe(6);
    },
  );
});
