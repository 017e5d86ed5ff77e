/**
 * Issue 14's workers e2e: the fixture scenario on a PostgreSQL store, worked by `medsafety worker` processes (the
 * real binary), one of them SIGKILLed mid-run and started again. Every turn and judgment key is stored once, the run
 * ends `success` (a worker ran its end-of-run check), `runs show` lists the workers, and the report JSON equals the
 * same scenario run on SQLite by one process (run ids and timestamps aside). Skipped, with the reason printed, where
 * PostgreSQL is not installed (outside CI).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FixtureServer, startFixtureServer } from "../../src/testing/index.js";
import { postgresForTests } from "../support/postgres.js";
import { type CliResult, printedRunId, runCli, tempProject, writeJsonl } from "./cli-harness.js";
import { SCENARIO_ITEMS, scenarioConfig, scenarioHandler } from "./scenario.js";

const postgres = postgresForTests();
/** A killed worker's job goes to another after this many seconds. */
const EXPIRE_SECONDS = 3;
/**
 * Without the response cache: the killed worker's calls that were answered but not stored are asked again, as they
 * would be with it (served from the cache then, which the report would count as cached calls).
 */
const NO_CACHE = "cache: false\n";

/** The report without what differs between two runs of the same data: run ids, times, the store's location. */
function comparable(reportJson: string, runId: string): unknown {
  // The two configs differ only in their `store` key, so in their hash.
  const volatile = new Set(["createdAt", "finishedAt", "updatedAt", "generatedAt", "configHash"]);
  return JSON.parse(reportJson.replaceAll(runId, "<run>"), (key, value) => (volatile.has(key) ? "<volatile>" : value));
}

describe.skipIf(postgres.skipReason !== undefined)("medsafety worker on a PostgreSQL store (e2e)", () => {
  let server: FixtureServer;
  let url: string;
  let project: string;
  let runId: string;
  let targetCalls = 0;
  const workerResults: CliResult[] = [];
  const env = { MEDSAFETY_QUEUE_EXPIRE_SECONDS: String(EXPIRE_SECONDS) };

  beforeAll(async () => {
    server = await startFixtureServer({
      handler: async (request, index) => {
        if (!request.model.startsWith("grader")) targetCalls++;
        // Slow enough that a worker is killed with calls in flight.
        await sleep(150);
        return scenarioHandler(request, index);
      },
    });
    url = await postgres.newDatabase();
    project = tempProject("medsafety-workers-");
    writeJsonl(join(project, "bench.jsonl"), SCENARIO_ITEMS);
    writeFileSync(
      join(project, "medsafety.config.yaml"),
      scenarioConfig(server.openaiBaseURL, NO_CACHE).replace("store: ./store.db", `store: "${url}"`),
    );
    writeFileSync(join(project, "sqlite.config.yaml"), scenarioConfig(server.openaiBaseURL, NO_CACHE));
    const created = await runCli(["run", "-c", "medsafety.config.yaml", "--no-work", "--no-progress"], {
      cwd: project,
      env,
    });
    expect(created.code, created.stdout + created.stderr).toBe(0);
    expect(created.stdout).toContain("queued for workers");
    runId = printedRunId(created.stdout);
    const worker = () =>
      runCli(["worker", "--store", url, "--exit-when-idle", "--concurrency", "1"], {
        cwd: project,
        env,
      });
    let killed: Promise<CliResult> | undefined;
    const victim = runCli(["worker", "--store", url, "--exit-when-idle", "--concurrency", "1"], {
      cwd: project,
      env,
      onSpawn: (child) => {
        killed = (async () => {
          while (targetCalls < 3) await sleep(20);
          child.kill("SIGKILL");
          return victim;
        })();
      },
    });
    const survivors = [worker(), worker()];
    const victimResult = await (killed as Promise<CliResult>);
    expect(victimResult.signal).toBe("SIGKILL");
    workerResults.push(...(await Promise.all([...survivors, worker()])));
  });

  afterAll(async () => {
    await server?.close();
  });

  it("every worker exits 0 once the queue is drained", () => {
    for (const result of workerResults) expect(result.code, result.stderr).toBe(0);
    expect(workerResults.map((result) => result.stderr).join("\n")).toMatch(new RegExp(`run ${runId} ended`));
  });

  it("stores every turn and judgment key once and records the run as ended", async () => {
    const { default: pg } = await import("pg");
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const count = async (table: string) =>
        (
          await client.query(
            `SELECT COUNT(*)::int AS n, COUNT(DISTINCT key)::int AS keys FROM ${table} WHERE run_id = $1`,
            [runId],
          )
        ).rows[0];
      // 2 targets × (3 + 3 + 2) turns (safe's failed turn of item B is stored as an error, and not judged).
      expect(await count("turns")).toEqual({ n: 16, keys: 16 });
      expect(await count("judgments")).toEqual({ n: 30, keys: 30 });
      const status = await client.query("SELECT status FROM runs WHERE id = $1", [runId]);
      expect(status.rows[0]?.status).toBe("success");
      // The killed worker held jobs: they were delivered again after their expiry (pg-boss counts the deliveries).
      const redelivered = await client.query(
        "SELECT COUNT(*)::int AS n FROM pgboss.job WHERE name LIKE $1 AND state = 'completed' AND retry_count > 0",
        [`medsafety.${runId}.%`],
      );
      expect(redelivered.rows[0]?.n).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
  });

  it("runs show lists the run's workers", async () => {
    const shown = await runCli(["runs", "show", runId, "--store", url, "--json"], { cwd: project });
    expect(shown.code, shown.stderr).toBe(0);
    const workers = JSON.parse(shown.stdout).workers as { state: string; jobsDone: number }[];
    expect(workers.length).toBeGreaterThanOrEqual(3);
    expect(workers.reduce((sum, worker) => sum + worker.jobsDone, 0)).toBeGreaterThanOrEqual(6);
  });

  it("run without --no-work works on its own jobs, runs the end-of-run check and prints the run's end", async () => {
    const other = await postgres.newDatabase();
    const result = await runCli(
      ["run", "-c", "medsafety.config.yaml", "--store", other, "--progress-interval", "0.2"],
      {
        cwd: project,
        env,
      },
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const ownRun = printedRunId(result.stdout);
    expect(result.stdout).toContain(`run ${ownRun}: success`);
    expect(result.stderr).toMatch(/progress \(all workers\): turns \d+\/16, judgments \d+\/32/);
    const cancelled = await runCli(["runs", "cancel", ownRun, "--store", other], { cwd: project });
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toContain(`run ${ownRun}: cancelled (was success)`);
  });

  it("gives the same report JSON as the scenario run on SQLite by one process", async () => {
    const sqlite = await runCli(["run", "-c", "sqlite.config.yaml", "--no-progress"], { cwd: project });
    const sqliteRun = printedRunId(sqlite.stdout);
    const fromSqlite = await runCli(["report", "--run", sqliteRun, "--format", "json", "--store", "store.db"], {
      cwd: project,
    });
    const fromPostgres = await runCli(["report", "--run", runId, "--format", "json", "--store", url], { cwd: project });
    expect(fromPostgres.code, fromPostgres.stderr).toBe(0);
    expect(comparable(fromPostgres.stdout, runId)).toEqual(comparable(fromSqlite.stdout, sqliteRun));
  });
});
