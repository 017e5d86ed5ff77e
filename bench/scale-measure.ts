/**
 * The measuring helpers of `npm run bench:scale` (bench/scale.ts): CPU time of processes from /proc, the CLI spawned
 * with the CPU preload (bench/scale-cpu.ts), the benchmark file and config, and the figures read back from the store.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { callOutcomes, openStoreReadOnly } from "../src/store/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, "../../bin/medsafety.js");
const preload = pathToFileURL(join(here, "scale-cpu.js")).href;
/** Clock ticks per second of /proc's times (`getconf CLK_TCK`: 100 on Linux). */
const TICK_MS = 10;

/** utime, stime, cutime, cstime (in ms) and the parent pid of a process, from /proc/<pid>/stat; undefined if gone. */
function procStat(pid: number): { self: number; children: number; ppid: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // After "pid (comm) ": state is field 3, ppid 4, utime 14, stime 15, cutime 16, cstime 17.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const field = (n: number) => Number(fields[n - 3]);
  return { self: (field(14) + field(15)) * TICK_MS, children: (field(16) + field(17)) * TICK_MS, ppid: field(4) };
}

/** CPU ms a process has used so far (all its threads). */
export function processCpuMs(pid: number | undefined): number {
  return pid === undefined ? 0 : (procStat(pid)?.self ?? 0);
}

/**
 * CPU ms a PostgreSQL cluster has used so far: the postmaster, the children it has reaped (backends of closed
 * connections: its cutime/cstime) and its live children (backends, checkpointer, WAL writer, autovacuum…).
 */
export function clusterCpuMs(postmaster: number): number {
  const main = procStat(postmaster);
  if (main === undefined) return Number.NaN;
  let total = main.self + main.children;
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = procStat(Number(name));
    if (stat?.ppid === postmaster) total += stat.self;
  }
  return total;
}

export interface Exited {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** CPU ms of the whole process, start to exit (written by the preload). */
  readonly cpuMs: number;
}

/** Runs `medsafety <args>` in `cwd` with the CPU preload; `onSpawn` gets the child. Rejects on a non-zero exit. */
export function medsafety(args: readonly string[], cwd: string, onSpawn?: (child: ChildProcess) => void) {
  const cpuFile = join(cwd, `cpu-${Math.random().toString(36).slice(2)}.txt`);
  const child = spawn(process.execPath, ["--import", preload, bin, ...args], {
    cwd,
    env: { ...process.env, BENCH_SCALE_CPU_FILE: cpuFile },
    stdio: ["ignore", "pipe", "pipe"],
  });
  onSpawn?.(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<Exited>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => {
      if (code !== 0) return reject(new Error(`medsafety ${args.join(" ")} exited ${code}:\n${stderr.slice(-2000)}`));
      let cpuMs = Number.NaN;
      try {
        const [user = Number.NaN, system = Number.NaN] = readFileSync(cpuFile, "utf8").trim().split(" ").map(Number);
        cpuMs = (user + system) / 1000;
      } catch {
        // No CPU file: the figure prints as NaN.
      }
      resolve({ code, stdout, stderr, cpuMs });
    });
  });
}

/** `count` items of 3 user turns each, as JSONL. */
export function writeBenchmark(path: string, count: number): void {
  const items = Array.from({ length: count }, (_, index) =>
    JSON.stringify({
      id: `scale-${index}`,
      language: index % 2 === 0 ? "en" : "ja",
      guidelineId: "jma-01",
      strategy: "decomposition",
      seedRequest: `seed ${index}`,
      turns: [1, 2, 3].map((turn) => `request ${index}, turn ${turn}: please help with something you should refuse`),
    }),
  );
  writeFileSync(path, `${items.join("\n")}\n`);
}

/** One target and two judges on the fixture server at `baseURL`, no retries, no response cache. */
export function configYaml(baseURL: string, store: string, concurrency: number): string {
  const model = (id: string, name: string) =>
    `  - { id: ${id}, model: "openai-compatible:${name}", baseURL: "${baseURL}", retries: 0 }`;
  return [
    "benchmark: ./bench.jsonl",
    "targets:",
    model("target", "bench-target"),
    "judges:",
    model("judge-a", "bench-judge-a"),
    model("judge-b", "bench-judge-b"),
    `store: "${store}"`,
    `concurrency: ${concurrency}`,
    "cache: false",
    "",
  ].join("\n");
}

export interface Stored {
  /** Turns and judgments stored: one row per call. */
  readonly calls: number;
  /** Stored calls that are not `ok` (errors, unscored verdicts). */
  readonly failed: number;
  /** Milliseconds from the first stored row's time to the last's. */
  readonly spanMs: number;
}

/** What the run stored, read back through the store (either backend). */
export function storedFigures(store: string, runId: string): Stored {
  const db = openStoreReadOnly(store);
  try {
    const outcomes = callOutcomes(db, runId);
    const times = ["turns", "judgments"].map(
      (table) =>
        db
          .prepare(`SELECT MIN(created_at) AS first, MAX(created_at) AS last FROM ${table} WHERE run_id = ?`)
          .get(runId) as { first: string; last: string },
    );
    const first = Math.min(...times.map((time) => Date.parse(time.first)));
    const last = Math.max(...times.map((time) => Date.parse(time.last)));
    return {
      calls: outcomes.reduce((sum, row) => sum + row.calls, 0),
      failed: outcomes.filter((row) => row.outcome !== "ok").reduce((sum, row) => sum + row.calls, 0),
      spanMs: last - first,
    };
  } finally {
    db.close();
  }
}
