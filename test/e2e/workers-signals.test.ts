/**
 * Issue 14's worker paths that need real processes, on a PostgreSQL store with a long job expiry (600 s), so nothing
 * here can pass by waiting for pg-boss to redeliver a job:
 * - SIGTERM to a `medsafety worker` mid-run: it exits 0 within seconds, its unfinished jobs are back in the queue at
 *   once, every call it got an answer to is stored, and a second worker (reaching the models at another address
 *   through `--bind`) finishes the run asking no answered call again;
 * - `runs cancel` while two workers are busy: they stop calling for the run and exit (`--exit-when-idle`), the run is
 *   `cancelled` and `runs show` lists the workers stopped; `run --resume` then queues what is missing and finishes it;
 * - `run --resume` after the only worker was SIGKILLed: its jobs (still active in pg-boss) are queued again at once;
 * - a worker that cannot bind a run's models (an API key missing from its environment) says so in one line naming
 *   the run and takes none of its jobs.
 * The workers are spawned (`bin/medsafety.js`, the built dist/); the other commands run in-process.
 */
import type { ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { WorkQueue } from "../../src/queue/index.js";
import { openStore } from "../../src/store/index.js";
import {
  type FixtureHandler,
  type FixtureRequest,
  type FixtureServer,
  startFixtureServer,
} from "../../src/testing/index.js";
import { runInProcess } from "../support/in-process-cli.js";
import { postgresForTests } from "../support/postgres.js";
import { runCli, tempProject, writeJsonl } from "./cli-harness.js";
import { SCENARIO_ITEMS, scenarioConfig, scenarioHandler } from "./scenario.js";

const postgres = postgresForTests();
/** Longer than any test: a job that goes back to the queue here was handed back or queued again, never expired. */
const ENV = { MEDSAFETY_QUEUE_EXPIRE_SECONDS: "600" };
/** Each call's latency: long enough to stop a worker with calls in flight, short enough for a fast suite. */
const LATENCY_MS = 100;
/** The scenario's stored results: 2 targets × (3 + 3 + 2) turns; every successful turn judged twice. */
const TURNS = 16;
const JUDGMENTS = 30;
/** Without the response cache, so a call asked twice reaches the server twice and is seen. */
const NO_CACHE = "cache: false\n";
const JUDGE_KEY = "MEDSAFETY_TEST_JUDGE_KEY";

/** One call the fixture servers saw: what was asked (model and messages), when, and whether it was answered. */
interface Call {
  readonly server: "main" | "bound";
  readonly signature: string;
  readonly target: boolean;
  readonly startedAt: number;
  answered: boolean;
}

const calls: Call[] = [];
/** While set, answers wait for it (calls stay in flight). */
let gate: Promise<void> | undefined;

function signatureOf(request: FixtureRequest): string {
  return `${request.model}|${request.messages.map((message) => `${message.role}:${message.content}`).join("\n")}`;
}

function recording(server: Call["server"]): FixtureHandler {
  return async (request, index) => {
    const call: Call = {
      server,
      signature: signatureOf(request),
      target: !request.model.startsWith("grader"),
      startedAt: Date.now(),
      answered: false,
    };
    calls.push(call);
    await sleep(LATENCY_MS);
    await gate;
    const reply = await scenarioHandler(request, index);
    call.answered = reply.kind !== "error";
    return reply;
  };
}

const answeredTargetCalls = (): number => calls.filter((call) => call.answered && call.target).length;

/** Answered calls asked more than once (a result was lost, or a redelivered job called a stored key again). */
function answeredTwice(): string[] {
  const seen = new Map<string, number>();
  for (const call of calls) if (call.answered) seen.set(call.signature, (seen.get(call.signature) ?? 0) + 1);
  return [...seen].filter(([, count]) => count > 1).map(([signature]) => signature);
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** What the store and the queue hold for a run, read with a client of the test's own. */
async function inStore(url: string, runId: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const one = async (sql: string) => (await client.query(sql, [runId])).rows[0] as Record<string, unknown>;
    const jobs = await client.query("SELECT state, COUNT(*)::int AS n FROM pgboss.job WHERE name LIKE $1 GROUP BY 1", [
      `medsafety.${runId}.%`,
    ]);
    return {
      status: (await one("SELECT status FROM runs WHERE id = $1"))["status"],
      turns: await one("SELECT COUNT(*)::int AS n, COUNT(DISTINCT key)::int AS keys FROM turns WHERE run_id = $1"),
      successfulTurns: (await one("SELECT COUNT(*)::int AS n FROM turns WHERE run_id = $1 AND status = 'success'"))[
        "n"
      ],
      judgments: await one(
        "SELECT COUNT(*)::int AS n, COUNT(DISTINCT key)::int AS keys FROM judgments WHERE run_id = $1",
      ),
      jobs: Object.fromEntries(jobs.rows.map((row: { state: string; n: number }) => [row.state, row.n])) as Record<
        string,
        number
      >,
    };
  } finally {
    await client.end();
  }
}

describe.skipIf(postgres.skipReason !== undefined)("worker signals, cancel and resume on PostgreSQL (e2e)", () => {
  let main: FixtureServer;
  let bound: FixtureServer;

  let template: string;

  beforeAll(async () => {
    // A database with the store's tables and pg-boss's schema, cloned per test (installing them takes seconds).
    template = await postgres.template("worker_signals_queue", async (url) => {
      openStore(url).db.close();
      await (await WorkQueue.start(url)).stop({ graceful: false });
    });
    main = await startFixtureServer({ handler: recording("main") });
    bound = await startFixtureServer({ handler: recording("bound") });
  });

  afterAll(async () => {
    await main?.close();
    await bound?.close();
  });

  beforeEach(() => {
    calls.length = 0;
  });

  /** A project on a fresh database with the scenario's run created and queued (`run --no-work`). */
  async function queuedRun(edit: (config: string) => string = (config) => config, env: Record<string, string> = {}) {
    const url = await postgres.newDatabase({ template });
    const project = tempProject("medsafety-worker-signals-");
    writeJsonl(join(project, "bench.jsonl"), SCENARIO_ITEMS);
    writeFileSync(
      join(project, "medsafety.config.yaml"),
      edit(scenarioConfig(main.openaiBaseURL, NO_CACHE).replace("store: ./store.db", `store: "${url}"`)),
    );
    const created = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-work", "--no-progress"], {
      cwd: project,
      env: { ...ENV, ...env },
    });
    expect(created.code, created.stdout + created.stderr).toBe(0);
    const runId = /^run id: (\S+)$/m.exec(created.stdout)?.[1] as string;
    return { url, project, runId };
  }

  function worker(
    project: string,
    url: string,
    flags: readonly string[] = [],
    onSpawn?: Parameters<typeof runCli>[1]["onSpawn"],
  ) {
    return runCli(["worker", "--store", url, ...flags], {
      cwd: project,
      env: ENV,
      ...(onSpawn === undefined ? {} : { onSpawn }),
    });
  }

  it("SIGTERM: the worker exits 0 at once, hands its jobs back, loses nothing; a second worker finishes", async () => {
    const { url, project, runId } = await queuedRun();
    let signalledAt = 0;
    const stopped = await worker(project, url, ["--concurrency", "2"], (child) => {
      void until(() => answeredTargetCalls() >= 4, "4 answered target calls").then(() => {
        signalledAt = Date.now();
        child.kill("SIGTERM");
      });
    });
    const exitSeconds = (Date.now() - signalledAt) / 1000;
    console.log(`worker exit after SIGTERM: ${exitSeconds.toFixed(2)} s`);
    expect(stopped.signal).toBeNull();
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(exitSeconds).toBeLessThan(5);
    const tally = /stopped: (\d+) conversations completed, (\d+) failed \(queued again\), (\d+) handed back/.exec(
      stopped.stderr,
    );
    expect(tally, stopped.stderr).not.toBeNull();
    const [completed, failed, handedBack] = (tally as RegExpExecArray).slice(1).map(Number) as [number, number, number];
    expect(failed).toBe(0);
    expect(handedBack).toBeGreaterThan(0);

    // At once: nothing is active any more; the unfinished conversations wait for the next worker.
    const after = await inStore(url, runId);
    expect(after.status).toBe("started");
    expect(after.jobs["active"] ?? 0).toBe(0);
    expect(after.jobs["completed"] ?? 0).toBe(completed);
    expect((after.jobs["created"] ?? 0) + (after.jobs["retry"] ?? 0)).toBe(6 - completed);
    // Every answer the worker got is stored: one turn per answered target call, one judgment per answered judge call.
    expect(after.successfulTurns).toBe(calls.filter((call) => call.answered && call.target).length);
    expect(after.judgments["n"]).toBe(calls.filter((call) => call.answered && !call.target).length);

    const before = calls.length;
    const bindings = ["safe", "weak", "judge-a", "judge-b"].flatMap((id) => [
      "--bind",
      `${id}.baseURL=${bound.openaiBaseURL}`,
    ]);
    const finisher = await worker(project, url, ["--exit-when-idle", ...bindings]);
    expect(finisher.code, finisher.stderr).toBe(0);
    expect(finisher.stderr).toContain(`run ${runId} ended: success`);
    // --bind: the second worker reached every model at the other server.
    const finisherCalls = calls.slice(before);
    expect(finisherCalls.length).toBeGreaterThan(0);
    expect(finisherCalls.filter((call) => call.server === "main")).toEqual([]);

    const done = await inStore(url, runId);
    expect(done.status).toBe("success");
    expect(done.turns).toEqual({ n: TURNS, keys: TURNS });
    expect(done.judgments).toEqual({ n: JUDGMENTS, keys: JUDGMENTS });
    expect(done.jobs).toEqual({ completed: 6 });
    expect(answeredTwice()).toEqual([]);
  });

  it("runs cancel stops busy workers (they exit, stopped); run --resume queues what is missing and finishes", async () => {
    const { url, project, runId } = await queuedRun();
    const flags = ["--exit-when-idle", "--concurrency", "1"];
    /** When each worker said it dropped the run (its stderr, read as it comes). */
    const dropped: number[] = [];
    const onSpawn = (child: ChildProcess): void => {
      child.stderr?.on("data", (chunk: Buffer) => {
        if (chunk.toString("utf8").includes(`run ${runId} is cancelled: dropped`)) dropped.push(Date.now());
      });
    };
    const workers = [worker(project, url, flags, onSpawn), worker(project, url, flags, onSpawn)];
    await until(() => answeredTargetCalls() >= 3, "3 answered target calls");
    // Hold every answer: each worker has all its slots busy until it sees the cancel by itself.
    let open = (): void => undefined;
    gate = new Promise((resolve) => {
      open = resolve;
    });
    const cancelledAt = Date.now();
    const cancel = await runInProcess(["runs", "cancel", runId, "--store", url], { cwd: project });
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toContain(`run ${runId}: cancelled (was started)`);
    try {
      await until(() => dropped.length === 2, "both workers to drop the cancelled run", 5000);
    } finally {
      gate = undefined;
      open();
    }
    const openedAt = Date.now();
    const exited = await Promise.all(workers);
    const exitSeconds = (Date.now() - cancelledAt) / 1000;
    console.log(
      `runs cancel: workers dropped the run after ${dropped.map((at) => ((at - cancelledAt) / 1000).toFixed(2)).join(" s, ")} s and exited after ${exitSeconds.toFixed(2)} s`,
    );
    for (const result of exited) expect(result.code, result.stderr).toBe(0);
    expect(exitSeconds).toBeLessThan(5);
    // They stopped calling for the run: the calls held in flight were answered, and no conversation went on.
    expect(calls.filter((call) => call.startedAt > openedAt + 200)).toEqual([]);

    const cancelled = await inStore(url, runId);
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.jobs["active"] ?? 0).toBe(0);
    expect(cancelled.turns["n"]).toBeLessThan(TURNS);
    const shown = await runInProcess(["runs", "show", runId, "--store", url, "--json"], { cwd: project });
    expect(shown.code, shown.stderr).toBe(0);
    // Both workers took jobs of the run (and completed none before the cancel): both are listed, stopped.
    const listed = JSON.parse(shown.stdout).workers as { pid: number; state: string }[];
    expect(listed.map((entry) => entry.state)).toEqual(["stopped", "stopped"]);

    const resumed = await runInProcess(["run", "--resume", runId, "--store", url, "--no-progress"], {
      cwd: project,
      env: ENV,
    });
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`run ${runId}: success`);
    const done = await inStore(url, runId);
    expect(done.status).toBe("success");
    expect(done.turns).toEqual({ n: TURNS, keys: TURNS });
    expect(done.judgments).toEqual({ n: JUDGMENTS, keys: JUDGMENTS });
    expect(answeredTwice()).toEqual([]);
  });

  it("run --resume after the only worker was SIGKILLed queues its jobs again at once and finishes", async () => {
    const { url, project, runId } = await queuedRun();
    const killed = await worker(project, url, ["--concurrency", "2"], (child) => {
      void until(() => answeredTargetCalls() >= 4, "4 answered target calls").then(() => child.kill("SIGKILL"));
    });
    expect(killed.signal).toBe("SIGKILL");
    const held = await inStore(url, runId);
    expect(held.jobs["active"] ?? 0).toBeGreaterThan(0);

    const startedAt = Date.now();
    const resumed = await runInProcess(["run", "--resume", runId, "--store", url, "--no-progress"], {
      cwd: project,
      env: ENV,
    });
    console.log(`run --resume after SIGKILL: ${((Date.now() - startedAt) / 1000).toFixed(2)} s`);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    const done = await inStore(url, runId);
    expect(done.status).toBe("success");
    expect(done.turns).toEqual({ n: TURNS, keys: TURNS });
    expect(done.judgments).toEqual({ n: JUDGMENTS, keys: JUDGMENTS });
    expect(done.jobs).toEqual({ completed: 6 });
  });

  it("a worker without a model's API key names the run and why in one line and takes none of its jobs", async () => {
    // judge-a reads its key from JUDGE_KEY: set for `run`, which records the run, not for the worker.
    const { url, project, runId } = await queuedRun(
      (config) =>
        config.replace(
          `model: "openai-compatible:grader-a",`,
          `model: "openai-compatible:grader-a", apiKeyEnv: ${JUDGE_KEY},`,
        ),
      { [JUDGE_KEY]: "fixture-key" },
    );
    const refused = await worker(project, url, ["--exit-when-idle"]);
    expect(refused.code, refused.stderr).toBe(0);
    const lines = refused.stderr.split("\n").filter((line) => line.includes(runId));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`cannot serve run ${runId} on this machine`);
    expect(lines[0]).toContain(JUDGE_KEY);
    expect(calls).toEqual([]);
    const untouched = await inStore(url, runId);
    expect(untouched.status).toBe("started");
    expect(untouched.jobs).toEqual({ created: 6 });
  });
});
