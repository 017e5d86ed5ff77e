/**
 * `npm run bench:scale` (issue 14): the harness on a shared PostgreSQL store with 1, 2 and 4 `medsafety worker`
 * processes at the same total concurrency C, against the local fixture server answering every call after L ms, and
 * the same scenario on SQLite in one process (`medsafety run`) as the baseline. N conversations of 3 turns, one
 * target and two judges: 9 calls per conversation. Ideal: C calls always in flight, so C / L calls/s.
 *
 * Per configuration: a fresh database, `run --no-work` to record the run and queue its jobs (not timed), then the
 * workers, each with `--concurrency C/k --exit-when-idle`; timed from their spawn to the last exit. Printed:
 * - conversations/s over that wall time, and the ratio to the ideal (C / L / 9 conversations/s);
 * - harness CPU per call: user + system CPU of the worker processes (every thread, start to exit, so process start-up
 *   and the queue's start are in it; "net" subtracts k times the CPU of a worker that starts, finds nothing and exits);
 * - store writes/s: turn and judgment rows stored / wall time ("active" is the span from the first row to the last);
 * - PostgreSQL CPU per call: utime + stime of the cluster's processes from /proc (live ones and those that ended).
 * The fixture server runs in its own process; its CPU is printed only in the machine's busy share.
 *
 * Env: BENCH_SCALE_LATENCY_MS (200), BENCH_SCALE_CONCURRENCY (64), BENCH_SCALE_CONVERSATIONS (default: 40 s at the
 * ideal rate), BENCH_SCALE_WORKERS (1,2,4), BENCH_SCALE_SQLITE (1; 0 skips the baseline). No assertions on time.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { type PostgresCluster, startPostgresCluster } from "../src/testing/index.js";
import { startFixtureServerProcess } from "./fixture-server-process.js";
import {
  clusterCpuMs,
  configYaml,
  type Exited,
  medsafety,
  processCpuMs,
  storedFigures,
  writeBenchmark,
} from "./scale-measure.js";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const LATENCY_MS = env("BENCH_SCALE_LATENCY_MS", 200);
const CONCURRENCY = env("BENCH_SCALE_CONCURRENCY", 64);
const CALLS_PER_CONVERSATION = 3 * (1 + 2);
const IDEAL = ((CONCURRENCY / LATENCY_MS) * 1000) / CALLS_PER_CONVERSATION;
const CONVERSATIONS = env("BENCH_SCALE_CONVERSATIONS", Math.round(IDEAL * 40));
const WORKERS = (process.env["BENCH_SCALE_WORKERS"] ?? "1,2,4").split(",").map(Number);
const SQLITE = process.env["BENCH_SCALE_SQLITE"] !== "0";
const CORES = availableParallelism();

interface Line {
  readonly label: string;
  readonly wallMs: number;
  readonly spanMs: number;
  readonly calls: number;
  readonly failed: number;
  readonly harnessCpuMs: number;
  readonly netCpuMs?: number;
  readonly postgresCpuMs?: number;
  readonly fixtureCpuMs: number;
}

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");

function print(line: Line): void {
  const perSecond = (CONVERSATIONS / line.wallMs) * 1000;
  const perCall = (ms: number | undefined) => fixed((ms ?? Number.NaN) / line.calls, 3);
  const busy = (line.harnessCpuMs + (line.postgresCpuMs ?? 0) + line.fixtureCpuMs) / (line.wallMs * CORES);
  console.log(
    `${line.label}: ${CONVERSATIONS} conversations in ${fixed(line.wallMs / 1000, 1)} s (active ${fixed(line.spanMs / 1000, 1)} s): ` +
      `${fixed(perSecond, 2)} conv/s, ideal ${fixed(IDEAL, 2)}, ratio ${fixed(perSecond / IDEAL, 3)}; ` +
      `harness CPU ${perCall(line.harnessCpuMs)} ms/call` +
      (line.netCpuMs === undefined ? "" : ` (net ${perCall(line.netCpuMs)})`) +
      `; store writes ${fixed((line.calls / line.wallMs) * 1000, 1)}/s (active ${fixed((line.calls / line.spanMs) * 1000, 1)}/s); ` +
      `PostgreSQL CPU ${line.postgresCpuMs === undefined ? "n/a" : `${perCall(line.postgresCpuMs)} ms/call`}; ` +
      `machine busy ${fixed(busy * 100, 0)}% of ${CORES} cores; calls stored ${line.calls}/${CONVERSATIONS * CALLS_PER_CONVERSATION}, not ok ${line.failed}`,
  );
}

async function printServerSettings(cluster: PostgresCluster): Promise<void> {
  const client = new pg.Client({ connectionString: cluster.adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; setting: string; unit: string | null }>(
      `SELECT name, setting, unit FROM pg_settings WHERE name IN ('server_version', 'fsync', 'synchronous_commit',
        'full_page_writes', 'shared_buffers', 'max_connections', 'wal_level') ORDER BY name`,
    );
    const settings = rows.map((row) => `${row.name}=${row.setting}${row.unit === null ? "" : ` (${row.unit})`}`);
    console.log(`PostgreSQL (private cluster, durability off for the bench): ${settings.join(", ")}`);
  } finally {
    await client.end();
  }
}

const runIdOf = (exited: Exited) => /^run id: (\S+)$/m.exec(exited.stdout)?.[1] ?? "";

const folder = mkdtempSync(join(tmpdir(), "medsafety-bench-scale-"));
writeBenchmark(join(folder, "bench.jsonl"), CONVERSATIONS);
const server = await startFixtureServerProcess(LATENCY_MS);
let cluster: PostgresCluster | undefined;
const lines: Line[] = [];
try {
  cluster = await startPostgresCluster();
  const postmaster = Number(readFileSync(join(cluster.folder, "data", "postmaster.pid"), "utf8").split("\n")[0]);
  console.log(
    `scale: fixture latency L=${LATENCY_MS} ms, N=${CONVERSATIONS} conversations × 3 turns, 1 target + 2 judges ` +
      `(${CALLS_PER_CONVERSATION} calls each), total concurrency C=${CONCURRENCY}, cache off, ${CORES} cores; ` +
      `ideal ${fixed(IDEAL, 2)} conv/s (C/L = ${fixed((CONCURRENCY / LATENCY_MS) * 1000, 0)} calls/s)`,
  );
  await printServerSettings(cluster);
  let idleWorkerCpuMs: number | undefined;
  for (const workers of WORKERS) {
    const store = await cluster.createDatabase(`bench_${workers}_workers`);
    const config = `postgres-${workers}.yaml`;
    writeFileSync(join(folder, config), configYaml(server.url, store, CONCURRENCY));
    const queuedAt = performance.now();
    const queued = await medsafety(["run", "-c", config, "--no-work", "--no-progress"], folder);
    const runId = runIdOf(queued);
    const queueMs = performance.now() - queuedAt;
    const postgresBefore = clusterCpuMs(postmaster);
    const fixtureBefore = processCpuMs(server.child.pid);
    const started = performance.now();
    const perWorker = String(Math.max(1, Math.round(CONCURRENCY / workers)));
    const args = ["worker", "--store", store, "--exit-when-idle", "--concurrency", perWorker];
    const exited = await Promise.all(Array.from({ length: workers }, () => medsafety(args, folder)));
    const wallMs = performance.now() - started;
    const postgresCpuMs = clusterCpuMs(postmaster) - postgresBefore;
    const fixtureCpuMs = processCpuMs(server.child.pid) - fixtureBefore;
    // A worker's fixed cost: start, find no started run, exit (on this store, whose run has ended).
    idleWorkerCpuMs ??= (await medsafety(["worker", "--store", store, "--exit-when-idle"], folder)).cpuMs;
    const stored = storedFigures(store, runId);
    const harnessCpuMs = exited.reduce((sum, worker) => sum + worker.cpuMs, 0);
    console.log(
      `  (run --no-work queued ${CONVERSATIONS} jobs in ${fixed(queueMs / 1000, 1)} s; a worker that starts and finds nothing: ${fixed(idleWorkerCpuMs, 0)} ms CPU)`,
    );
    const line: Line = {
      label: `PostgreSQL, ${workers} worker${workers === 1 ? "" : "s"} × concurrency ${perWorker}`,
      wallMs,
      spanMs: stored.spanMs,
      calls: stored.calls,
      failed: stored.failed,
      harnessCpuMs,
      netCpuMs: harnessCpuMs - workers * idleWorkerCpuMs,
      postgresCpuMs,
      fixtureCpuMs,
    };
    lines.push(line);
    print(line);
  }
  if (SQLITE) {
    writeFileSync(join(folder, "sqlite.yaml"), configYaml(server.url, "./sqlite-store.db", CONCURRENCY));
    const fixtureBefore = processCpuMs(server.child.pid);
    const started = performance.now();
    const exited = await medsafety(["run", "-c", "sqlite.yaml", "--no-progress"], folder);
    const wallMs = performance.now() - started;
    const stored = storedFigures(join(folder, "sqlite-store.db"), runIdOf(exited));
    const line: Line = {
      label: `SQLite, 1 process (medsafety run, run creation timed) × concurrency ${CONCURRENCY}`,
      wallMs,
      spanMs: stored.spanMs,
      calls: stored.calls,
      failed: stored.failed,
      harnessCpuMs: exited.cpuMs,
      fixtureCpuMs: processCpuMs(server.child.pid) - fixtureBefore,
    };
    lines.push(line);
    print(line);
  }
  summarize(lines);
} finally {
  server.child.kill("SIGTERM");
  await cluster?.stop();
  rmSync(folder, { recursive: true, force: true });
}

function summarize(all: readonly Line[]): void {
  const postgres = all.filter((line) => line.postgresCpuMs !== undefined);
  const sqlite = all.find((line) => line.postgresCpuMs === undefined);
  const rate = (line: Line) => (CONVERSATIONS / line.wallMs) * 1000;
  const cpu = (line: Line) => (line.harnessCpuMs + (line.postgresCpuMs ?? 0)) / line.calls;
  console.log("summary:");
  for (const line of postgres)
    console.log(
      `  ${line.label}: ${fixed(rate(line), 2)} conv/s (${fixed((rate(line) / IDEAL) * 100, 0)}% of ideal), ` +
        `harness + PostgreSQL ${fixed(cpu(line), 3)} ms CPU/call` +
        (sqlite === undefined ? "" : `, ${fixed(cpu(line) / cpu(sqlite), 2)}× SQLite's`),
    );
  if (sqlite !== undefined)
    console.log(
      `  SQLite baseline: ${fixed(rate(sqlite), 2)} conv/s (${fixed((rate(sqlite) / IDEAL) * 100, 0)}% of ideal), ${fixed(cpu(sqlite), 3)} ms CPU/call`,
    );
}
