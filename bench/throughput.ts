/**
 * `npm run bench:throughput`: the harness against a local fixture server with fixed latency L per call.
 * For each setting, prints achieved calls/s, ideal calls/s (C / L), their ratio, harness CPU ms per call
 * (process CPU time / calls, store writes included) and peak RSS. The fixture server runs in its own process,
 * so its CPU is not counted. Targets: ratio ≥ 0.9, ≤ 1 ms CPU per call, RSS < 300 MB and flat in N.
 * "Live heap after GC" is the JS memory still referenced at the end: flat in N means nothing accumulates per
 * call; peak RSS also holds garbage V8 has not collected yet, which grows with the allocation rate.
 * Settings: BENCH_SETTINGS="C:N:W,..." (calls in flight, calls, worker threads; default
 * 64:5000:0,256:5000:0,256:20000:0,256:20000:2), BENCH_LATENCY_MS (default 200).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startFixtureServerProcess } from "./fixture-server-process.js";

const here = dirname(fileURLToPath(import.meta.url));
const LATENCY_MS = Number(process.env["BENCH_LATENCY_MS"] ?? 200);
/** C:N:W = calls in flight, calls, provider worker threads (config `workers`). */
const SETTINGS = (process.env["BENCH_SETTINGS"] ?? "64:5000:0,256:5000:0,256:20000:0,256:20000:2")
  .split(",")
  .map((setting) => setting.split(":").map(Number) as [number, number, number?]);

async function measure(script: string, args: readonly string[]): Promise<Record<string, number>> {
  const worker = spawn(process.execPath, ["--expose-gc", join(here, script), ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  worker.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(worker, "close")) as [number | null];
  if (code !== 0) throw new Error(`worker failed with code ${code}`);
  return JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as Record<string, number>;
}

const format = (value: number | undefined, digits: number): string => (value ?? Number.NaN).toFixed(digits);

const { child, url } = await startFixtureServerProcess(LATENCY_MS);
try {
  console.log(
    `throughput: fixture latency L=${LATENCY_MS} ms, single-turn items with one judge (2 calls each), cache off, SQLite store`,
  );
  for (const [concurrency, calls, workers = 0] of SETTINGS) {
    const result = await measure("throughput-worker.js", [
      url,
      String(concurrency),
      String(calls),
      String(LATENCY_MS),
      String(workers),
    ]);
    const baseline = await measure("raw-http-worker.js", [url, String(concurrency), String(result["calls"] ?? calls)]);
    console.log(
      `L=${LATENCY_MS}ms C=${concurrency} N=${result["calls"]} workers=${workers}: achieved ${format(result["achieved"], 1)} calls/s, ideal ${format(result["ideal"], 1)} calls/s, ` +
        `ratio ${format(result["ratio"], 3)}, harness CPU ${format(result["cpuMsPerCall"], 3)} ms/call, peak RSS ${format(result["peakRssMb"], 1)} MB, live heap after GC ${format(result["heapAfterGcMb"], 1)} MB, ` +
        `errors ${result["errors"]}, wall ${format((result["wallMs"] ?? 0) / 1000, 2)} s; ` +
        `bare HTTP client ${format(baseline["cpuMsPerCall"], 3)} ms/call (harness/bare ${format((result["cpuMsPerCall"] ?? 0) / (baseline["cpuMsPerCall"] ?? 1), 2)}x)`,
    );
  }
} finally {
  child.kill("SIGTERM");
}
