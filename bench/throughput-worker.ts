/**
 * One throughput measurement, in its own process so peak RSS belongs to this setting alone:
 * `node dist/bench/throughput-worker.js <baseURL> <concurrency> <calls> <latencyMs> [workers]`. Prints one JSON line.
 * The harness runs for real: config binding, AI SDK adapter over HTTP, retry/limit middleware, runner,
 * judges, SQLite store writes. Single-turn items with one judge: 2 calls per item.
 */
import { setMaxListeners } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bindModels, configSchema } from "../src/config/index.js";
import { openBenchmarks } from "../src/datasets/index.js";
import { RubricSet } from "../src/judges/index.js";
import { createRun, executeRun, RunEvents, replayAttack } from "../src/runner/index.js";
import { ItemRepository, openStore, ResultRepository, RunRepository } from "../src/store/index.js";

const [baseURL = "", concurrencyText = "64", callsText = "5000", latencyText = "200", workersText = "0"] =
  process.argv.slice(2);
const concurrency = Number(concurrencyText);
const calls = Number(callsText);
const latencyMs = Number(latencyText);
const items = Math.ceil(calls / 2);

const folder = mkdtempSync(join(tmpdir(), "medsafety-bench-"));
const benchmarkPath = join(folder, "bench.jsonl");
const warmupPath = join(folder, "warmup.jsonl");
const writeItems = (path: string, count: number, prefix: string): void =>
  writeFileSync(
    path,
    Array.from({ length: count }, (_, index) =>
      JSON.stringify({
        id: `${prefix}-${index}`,
        language: index % 2 === 0 ? "en" : "ja",
        guidelineId: "jma-01",
        strategy: "decomposition",
        seedRequest: `seed ${index}`,
        turns: [`request number ${index}: please help with something you should refuse`],
      }),
    ).join("\n"),
  );
writeItems(benchmarkPath, items, "bench");
// A short run first, not measured: module loading and JIT warm-up are one-time costs, not per-call ones.
writeItems(warmupPath, concurrency * 2, "warmup");

const config = configSchema.parse({
  benchmark: benchmarkPath,
  targets: [{ id: "target", model: "openai-compatible:bench-target", baseURL, retries: 0 }],
  judges: [{ id: "judge", model: "openai-compatible:bench-judge", baseURL, retries: 0 }],
  store: join(folder, "bench.db"),
  concurrency,
  cache: false,
  workers: Number(workersText),
});

let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 100);

const { db } = openStore(config.store);
const stores = { db, runs: new RunRepository(db), items: new ItemRepository(db), results: new ResultRepository(db) };
const bound = bindModels(config, { env: process.env });
const stop = new AbortController();
setMaxListeners(0, stop.signal);
const rubrics = new RubricSet();
const rubricFor = (rubric: string | undefined) => RubricSet.reference(rubrics.get(rubric));
const contextFor = (runId: string, events: RunEvents) => ({
  runId,
  targets: bound.targets,
  judges: bound.judges,
  attack: replayAttack,
  rubricFor: (rubric: string | undefined) => rubrics.get(rubric),
  sink: stores.results,
  events,
  concurrency,
  resume: false,
  retryErrors: false,
  stopSignal: stop.signal,
  abortSignal: stop.signal,
  now: () => new Date(),
});
await createRun(stores, {
  runId: "warmup",
  config,
  configHash: "warmup",
  datasetSource: warmupPath,
  items: openBenchmarks([warmupPath]),
  rubrics: [],
  rubricFor,
  itemRubricsUsed: true,
  packageVersion: "bench",
});
await executeRun(stores, contextFor("warmup", new RunEvents()));
const runId = "bench";
await createRun(stores, {
  runId,
  config,
  configHash: "bench",
  datasetSource: benchmarkPath,
  items: openBenchmarks([benchmarkPath]),
  rubrics: [],
  rubricFor,
  itemRubricsUsed: true,
  packageVersion: "bench",
});
const rssAfterImportMb = process.memoryUsage.rss() / 1024 / 1024;
const events = new RunEvents();
let errors = 0;
let unscored = 0;
events.on("turn-end", (event) => {
  if (event.status === "error") errors += 1;
});
events.on("judgment-end", (event) => {
  if (event.status === "error") errors += 1;
  if (event.status === "unscored") unscored += 1;
});

const cpuBefore = process.cpuUsage();
const started = performance.now();
await executeRun(stores, contextFor(runId, events));
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage.rss());
(globalThis as { gc?: () => void }).gc?.();
const heapAfterGcMb = process.memoryUsage().heapUsed / 1024 / 1024;
const stored = db
  .prepare("SELECT (SELECT COUNT(*) FROM turns WHERE run_id = ?) + (SELECT COUNT(*) FROM judgments WHERE run_id = ?)")
  .pluck()
  .get(runId, runId) as number;
await bound.close();
db.close();
rmSync(folder, { recursive: true, force: true });

const achieved = (stored / wallMs) * 1000;
const ideal = (concurrency / latencyMs) * 1000;
process.stdout.write(
  `${JSON.stringify({
    latencyMs,
    concurrency,
    calls: stored,
    errors,
    unscored,
    wallMs,
    achieved,
    ideal,
    ratio: achieved / ideal,
    cpuMsPerCall: (cpu.user + cpu.system) / 1000 / stored,
    peakRssMb: peakRss / 1024 / 1024,
    heapAfterGcMb,
    rssAfterImportMb,
  })}\n`,
);
