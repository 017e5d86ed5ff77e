import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FixtureServer, startFixtureServer } from "../../src/testing/index.js";
import { runInProcess } from "../support/in-process-cli.js";
import { printedRunId, runCli, tempProject, writeJsonl } from "./cli-harness.js";
import { scenarioConfig, scenarioHandler } from "./scenario.js";

const ITEMS = Array.from({ length: 24 }, (_, index) => ({
  id: `resume-${String(index).padStart(2, "0")}`,
  language: index % 2 === 0 ? "en" : "ja",
  guidelineId: "jma-03",
  strategy: "gradual-escalation",
  seedRequest: `seed ${index}`,
  turns: [`open ${index}`, `push ${index}`, `ask ${index}`],
}));
// 24 items × 2 targets × 3 turns = 144 turn keys; × 2 judges = 288 judgment keys.
const TURN_KEYS = 144;
const JUDGMENT_KEYS = 288;

function project(baseURL: string): string {
  const folder = tempProject("medsafety-resume-");
  writeJsonl(join(folder, "bench.jsonl"), ITEMS);
  writeFileSync(join(folder, "medsafety.config.yaml"), scenarioConfig(baseURL));
  return folder;
}

function keyCounts(
  folder: string,
  runId: string,
): { turns: number; distinctTurns: number; judgments: number; distinctJudgments: number } {
  const db = new Database(join(folder, "store.db"), { readonly: true });
  try {
    return db
      .prepare(`SELECT
        (SELECT COUNT(*) FROM turns WHERE run_id = @runId) AS turns,
        (SELECT COUNT(DISTINCT key) FROM turns WHERE run_id = @runId) AS distinctTurns,
        (SELECT COUNT(*) FROM judgments WHERE run_id = @runId) AS judgments,
        (SELECT COUNT(DISTINCT key) FROM judgments WHERE run_id = @runId) AS distinctJudgments`)
      .get({ runId }) as never;
  } finally {
    db.close();
  }
}

async function reportOf(
  folder: string,
  runId: string,
): Promise<{ targets: unknown; judges: unknown; judgePairs: unknown }> {
  const result = await runInProcess(["report", "--run", runId, "--format", "json", "--store", "store.db"], {
    cwd: folder,
  });
  expect(result.code, result.stderr).toBe(0);
  const report = JSON.parse(result.stdout);
  return { targets: report.targets, judges: report.judges, judgePairs: report.judgePairs };
}

/** Waits until the store holds at least `count` turns of the run, polling. */
async function waitForTurns(folder: string, count: number): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    try {
      const db = new Database(join(folder, "store.db"), { readonly: true });
      const stored = db.prepare("SELECT COUNT(*) FROM turns").pluck().get() as number;
      db.close();
      if (stored >= count) return;
    } catch {
      // the store is not created yet
    }
  }
  throw new Error("the run never stored enough turns");
}

describe("resume after SIGKILL and after Ctrl-C (e2e)", () => {
  let server: FixtureServer;
  let reference: Awaited<ReturnType<typeof reportOf>>;

  beforeAll(async () => {
    server = await startFixtureServer({ handler: scenarioHandler, latencyMs: 40, record: false });
    const folder = project(server.openaiBaseURL);
    const result = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: folder });
    expect(result.code, result.stderr).toBe(0);
    const runId = printedRunId(result.stdout);
    expect(keyCounts(folder, runId)).toEqual({
      turns: TURN_KEYS,
      distinctTurns: TURN_KEYS,
      judgments: JUDGMENT_KEYS,
      distinctJudgments: JUDGMENT_KEYS,
    });
    reference = await reportOf(folder, runId);
  });

  afterAll(async () => {
    await server.close();
  });

  it("a run killed with SIGKILL mid-way, then resumed, has every key once and the same report", async () => {
    const folder = project(server.openaiBaseURL);
    const killed = await runCli(["run", "-c", "medsafety.config.yaml", "--no-progress"], {
      cwd: folder,
      onSpawn: (child) => {
        void waitForTurns(folder, 30).then(() => child.kill("SIGKILL"));
      },
    });
    expect(killed.signal).toBe("SIGKILL");
    const runId = printedRunId(killed.stdout);
    const partial = keyCounts(folder, runId);
    expect(partial.turns).toBeGreaterThanOrEqual(30);
    expect(partial.turns).toBeLessThan(TURN_KEYS);
    const listed = await runInProcess(["runs", "show", runId, "--json", "--store", "store.db"], { cwd: folder });
    expect(JSON.parse(listed.stdout).status).toBe("started");

    const resumed = await runInProcess(["run", "--resume", "latest", "--store", "store.db", "--no-progress"], {
      cwd: folder,
    });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`run ${runId}: success`);
    expect(keyCounts(folder, runId)).toEqual({
      turns: TURN_KEYS,
      distinctTurns: TURN_KEYS,
      judgments: JUDGMENT_KEYS,
      distinctJudgments: JUDGMENT_KEYS,
    });
    expect(await reportOf(folder, runId)).toEqual(reference);
  });

  it("Ctrl-C marks the run cancelled after in-flight calls settle; resume finishes it", async () => {
    const folder = project(server.openaiBaseURL);
    const interrupted = await runCli(["run", "-c", "medsafety.config.yaml", "--no-progress", "--no-cache"], {
      cwd: folder,
      onSpawn: (child) => {
        void waitForTurns(folder, 20).then(() => child.kill("SIGINT"));
      },
    });
    expect(interrupted.code).toBe(130);
    const runId = printedRunId(interrupted.stdout);
    expect(interrupted.stdout).toContain(`run ${runId}: cancelled`);
    expect(interrupted.stdout).toContain(`npx medsafety run --resume ${runId}`);
    const show = await runInProcess(["runs", "show", runId, "--json", "--store", "store.db"], { cwd: folder });
    expect(JSON.parse(show.stdout).status).toBe("cancelled");
    expect(keyCounts(folder, runId).turns).toBeLessThan(TURN_KEYS);

    const resumed = await runInProcess(["run", "--resume", runId, "--store", "store.db", "--no-progress"], {
      cwd: folder,
    });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(keyCounts(folder, runId)).toEqual({
      turns: TURN_KEYS,
      distinctTurns: TURN_KEYS,
      judgments: JUDGMENT_KEYS,
      distinctJudgments: JUDGMENT_KEYS,
    });
    expect(await reportOf(folder, runId)).toEqual(reference);
  });
});
