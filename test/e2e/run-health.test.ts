/**
 * How a run ends, through the real CLI: a run whose calls all fail says so and exits 4 (everything stored, resumable
 * with --retry-errors); progress lines when stderr is not a terminal; one process per run (lease); hints and resume
 * carry the -c/--store that was used.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FixtureHandler, type FixtureServer, startFixtureServer } from "../../src/testing/index.js";
import { runInProcess } from "../support/in-process-cli.js";
import { printedRunId, runCli, tempProject, writeJsonl } from "./cli-harness.js";
import { scenarioHandler } from "./scenario.js";

const ITEMS = Array.from({ length: 6 }, (_, index) => ({
  id: `health-${index}`,
  language: "en",
  guidelineId: "jma-03",
  strategy: "gradual-escalation",
  seedRequest: `seed ${index}`,
  turns: [`ITEM-A open ${index}`, `ITEM-A push ${index}`],
}));

/** Flipped by the tests: the target model's server answers 404 (a wrong model id) until fixed. */
const state = { targetMissing: true, latencyMs: 0 };

const handler: FixtureHandler = async (request, callIndex) => {
  if (state.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, state.latencyMs));
  if (request.model === "safe-model" && state.targetMissing) {
    return {
      kind: "error",
      status: 404,
      body: { error: { message: "The model `safe-model` does not exist", type: "invalid_request_error" } },
    };
  }
  return scenarioHandler(request, callIndex);
};

let server: FixtureServer;

beforeAll(async () => {
  server = await startFixtureServer({ handler });
});

afterAll(async () => {
  await server.close();
});

function config(store: string): string {
  const model = (id: string, name: string): string =>
    `{ id: ${id}, model: "openai-compatible:${name}", baseURL: "${server.openaiBaseURL}", retries: 0 }`;
  return `benchmark: ./bench.jsonl
targets: [${model("safe", "safe-model")}]
judges: [${model("judge-a", "grader-a")}, ${model("judge-b", "grader-b")}]
store: ${store}
concurrency: 2
`;
}

function project(): string {
  const folder = tempProject("medsafety-health-");
  writeJsonl(join(folder, "bench.jsonl"), ITEMS);
  writeFileSync(join(folder, "medsafety.config.yaml"), config("./store.db"));
  return folder;
}

function runStatus(folder: string, store: string, runId: string): { status: string; error_message: string | null } {
  const db = new Database(join(folder, store), { readonly: true });
  try {
    return db.prepare("SELECT status, error_message FROM runs WHERE id = ?").get(runId) as {
      status: string;
      error_message: string | null;
    };
  } finally {
    db.close();
  }
}

describe("the end of a run (e2e)", () => {
  it("a run whose every target call fails exits 4 with a summary by model and code; --retry-errors then completes it", async () => {
    state.targetMissing = true;
    const folder = project();
    // The real binary: exit code 4 as the shell sees it.
    const failed = await runCli(["run", "--no-progress"], { cwd: folder });
    expect(failed.code, failed.stderr).toBe(4);
    const runId = printedRunId(failed.stdout);
    expect(failed.stderr).toContain("calls stored: 6 (errors 6, unscored 0)");
    expect(failed.stderr).toContain("target safe: 0 of 6 answered; provider_http 404 ×6");
    expect(failed.stderr).toContain('target "safe" had no successful call: 6 of 6 failed (provider_http 404 ×6)');
    expect(failed.stdout).toContain(
      `resume: npx medsafety run --resume ${runId} --retry-errors -c medsafety.config.yaml`,
    );
    expect(failed.stderr).not.toMatch(/\n\s+at /);
    expect(runStatus(folder, "store.db", runId)).toMatchObject({
      status: "error",
      error_message: expect.stringContaining("no successful call"),
    });

    state.targetMissing = false;
    const fixed = await runInProcess(["run", "--resume", runId, "--retry-errors", "--no-progress"], { cwd: folder });
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stderr).toContain("calls stored: 36 (errors 0, unscored 0)");
    expect(runStatus(folder, "store.db", runId)).toEqual({ status: "success", error_message: null });
  });

  it("prints plain progress lines at a steady interval when stderr is not a terminal", async () => {
    state.targetMissing = false;
    state.latencyMs = 40;
    try {
      const folder = project();
      const result = await runInProcess(["run", "--progress-interval", "0.1"], { cwd: folder });
      expect(result.code, result.stderr).toBe(0);
      const lines = result.stderr.split("\n").filter((line) => line.startsWith("progress: "));
      expect(lines.length).toBeGreaterThanOrEqual(2);
      expect(lines.at(-1)).toMatch(
        /^progress: 36\/36 calls \(100\.0 %\), errors 0, unscored 0, elapsed \d+:\d\d:\d\d, ETA 0:00:00, spent \$0$/,
      );
    } finally {
      state.latencyMs = 0;
    }
  });

  it("a second process refuses a run another one is working on, naming it; after a kill the run resumes at once", async () => {
    state.targetMissing = false;
    state.latencyMs = 300;
    try {
      const folder = project();
      let first: import("node:child_process").ChildProcess | undefined;
      let firstOut = "";
      const firstRun = runCli(["run", "--no-progress"], {
        cwd: folder,
        onSpawn: (child) => {
          first = child;
          child.stdout?.on("data", (chunk: Buffer) => (firstOut += chunk.toString("utf8")));
        },
      });
      while (!/^run id: /m.test(firstOut)) await new Promise((resolve) => setTimeout(resolve, 50));
      const runId = printedRunId(firstOut);
      const second = await runInProcess(["run", "--resume", runId, "--no-progress"], { cwd: folder });
      expect(second.code, second.stderr).toBe(2);
      expect(second.stderr).toContain(
        `Run ${runId} is being worked on by another process: pid ${first?.pid ?? -1} on host`,
      );
      expect(second.stderr).toContain(`kill ${first?.pid ?? -1}`);
      first?.kill("SIGKILL");
      await firstRun;
      state.latencyMs = 0;
      const resumed = await runInProcess(["run", "--resume", runId, "--no-progress"], { cwd: folder });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toContain(`took over run ${runId} from pid ${first?.pid ?? -1}`);
      const db = new Database(join(folder, "store.db"), { readonly: true });
      try {
        expect(
          db.prepare("SELECT COUNT(*) AS n, COUNT(DISTINCT key) AS keys FROM turns WHERE run_id = ?").get(runId),
        ).toEqual({ n: 12, keys: 12 });
        expect(db.prepare("SELECT COUNT(*) FROM run_leases").pluck().get()).toBe(0);
      } finally {
        db.close();
      }
    } finally {
      state.latencyMs = 0;
    }
  });

  it("run -c other.yaml --resume latest resumes the latest run of that config's store, and the hints carry -c", async () => {
    state.targetMissing = false;
    const folder = project();
    writeFileSync(join(folder, "other.yaml"), config("./other.db"));
    const inDefault = await runInProcess(["run", "--no-progress"], { cwd: folder });
    expect(inDefault.code, inDefault.stderr).toBe(0);
    state.targetMissing = true;
    const inOther = await runInProcess(["run", "-c", "other.yaml", "--no-progress"], { cwd: folder });
    expect(inOther.code).toBe(4);
    const otherId = printedRunId(inOther.stdout);
    expect(inOther.stdout).toContain(`report: npx medsafety report --run ${otherId} -c other.yaml`);
    expect(inOther.stdout).toContain(`resume: npx medsafety run --resume ${otherId} --retry-errors -c other.yaml`);
    // The default store's run is newer; the other store's latest must still be the one resumed.
    const newer = await runInProcess(["run", "--no-progress"], { cwd: folder });
    expect(printedRunId(newer.stdout)).not.toBe(otherId);
    state.targetMissing = false;
    const resumed = await runInProcess(
      ["run", "-c", "other.yaml", "--resume", "latest", "--retry-errors", "--no-progress"],
      { cwd: folder },
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(printedRunId(resumed.stdout)).toBe(otherId);
    expect(runStatus(folder, "other.db", otherId).status).toBe("success");
    const viaStore = await runInProcess(["run", "--store", "other.db", "--resume", "latest", "--no-progress"], {
      cwd: folder,
    });
    expect(printedRunId(viaStore.stdout)).toBe(otherId);
    expect(viaStore.stdout).toContain(`report: npx medsafety report --run ${otherId} --store other.db`);
  });
});
