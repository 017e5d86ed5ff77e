/**
 * `npm run bench:generate`: `medsafety generate conversations` at the paper's scale against a local fixture server
 * (another process) with fixed latency L per call: 1,929 seeds × 7 strategies × 4 attackers = 54,012 conversations,
 * concurrency C = 256. Prints wall time vs ideal (N × L / C), their ratio, harness CPU per conversation and peak RSS.
 * Settings: BENCH_GENERATE_SEEDS (default 1929), BENCH_CONCURRENCY (256), BENCH_LATENCY_MS (200), BENCH_WORKERS (0).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const SEEDS = Number(process.env["BENCH_GENERATE_SEEDS"] ?? 1929);
const CONCURRENCY = Number(process.env["BENCH_CONCURRENCY"] ?? 256);
const LATENCY_MS = Number(process.env["BENCH_LATENCY_MS"] ?? 200);
const WORKERS = Number(process.env["BENCH_WORKERS"] ?? 0);

async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [join(here, "../src/testing/fixture-server-main.js"), "--latency", String(LATENCY_MS), "--handler", "generation"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let buffer = "";
  for await (const chunk of child.stdout ?? []) {
    buffer += String(chunk);
    const match = /fixture-server listening (\S+)/.exec(buffer);
    if (match?.[1] !== undefined) return { child, url: `${match[1]}/v1` };
  }
  throw new Error("fixture server did not start");
}

const { child, url } = await startServer();
try {
  const worker = spawn(
    process.execPath,
    [
      "--expose-gc",
      join(here, "generate-worker.js"),
      url,
      String(SEEDS),
      String(CONCURRENCY),
      String(LATENCY_MS),
      String(WORKERS),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let output = "";
  worker.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(worker, "close")) as [number | null];
  if (code !== 0) throw new Error(`generate worker failed with code ${code}`);
  const result = JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as Record<string, number | string>;
  const number = (key: string, digits: number): string => Number(result[key]).toFixed(digits);
  console.log(
    `generate conversations: ${SEEDS} seeds × 7 strategies × 4 attackers = ${result["conversations"]} conversations, fixture latency L=${LATENCY_MS} ms, C=${CONCURRENCY}, workers=${WORKERS}`,
  );
  console.log(`${result["summary"]}`);
  console.log(
    `wall ${(Number(result["wallMs"]) / 1000).toFixed(1)} s vs ideal N×L/C ${(Number(result["idealMs"]) / 1000).toFixed(1)} s: ratio ${number("ratio", 3)}; ` +
      `harness CPU ${number("cpuMsPerConversation", 3)} ms/conversation; peak RSS ${number("peakRssMb", 1)} MB; live heap after GC ${number("heapAfterGcMb", 1)} MB; ` +
      `lines written ${result["written"]}, stored successes ${result["stored"]}`,
  );
} finally {
  child.kill("SIGTERM");
}
