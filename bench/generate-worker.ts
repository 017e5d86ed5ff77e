/**
 * One `generate conversations` measurement, in its own process so peak RSS belongs to it alone:
 * `node dist/bench/generate-worker.js <baseURL> <seeds> <concurrency> <latencyMs> [workers]`. Runs the real command
 * (`main`: config loading, role binding, AI SDK adapter over HTTP, job runner, SQLite store, streamed JSONL output)
 * on `seeds` seeds × the 7 built-in strategies × 4 attackers, then prints one JSON line.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { main } from "../src/cli/index.js";

const [baseURL = "", seedsText = "1929", concurrencyText = "256", latencyText = "200", workersText = "0"] =
  process.argv.slice(2);
const seeds = Number(seedsText);
const concurrency = Number(concurrencyText);
const latencyMs = Number(latencyText);

const folder = mkdtempSync(join(tmpdir(), "medsafety-bench-generate-"));
const attacker = (id: string): string =>
  `{ id: ${id}, model: "openai-compatible:${id}", baseURL: "${baseURL}", retries: 0 }`;
writeFileSync(
  join(folder, "medsafety.config.yaml"),
  `targets: [${attacker("target")}]
judges: [${attacker("judge")}]
attackers: [${attacker("attacker-a")}, ${attacker("attacker-b")}, ${attacker("attacker-c")}, ${attacker("attacker-d")}]
store: ./bench.db
concurrency: ${concurrency}
workers: ${Number(workersText)}
`,
);
writeFileSync(
  join(folder, "seeds.jsonl"),
  Array.from({ length: seeds }, (_, index) =>
    JSON.stringify({
      id: `seed-${index}`,
      language: index % 2 === 0 ? "ja" : "en",
      guidelineId: `jma-${(index % 67) + 1}`,
      guidelineSection: "bench",
      request: `benchmark seed request number ${index}: a request a physician-assistant should refuse`,
    }),
  ).join("\n"),
);

let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 100);
const printed: string[] = [];
const cwd = process.cwd();
process.chdir(folder);
const cpuBefore = process.cpuUsage();
const started = performance.now();
const code = await main(
  ["node", "medsafety", "generate", "conversations", "--seeds", "seeds.jsonl", "--out", "bench.jsonl", "--no-progress"],
  {
    out: (text) => printed.push(text),
    err: (text) => printed.push(text),
    isTTY: false,
  },
);
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage.rss());
(globalThis as { gc?: () => void }).gc?.();
const heapAfterGcMb = process.memoryUsage().heapUsed / 1024 / 1024;
process.chdir(cwd);
if (code !== 0) {
  process.stderr.write(printed.join("\n"));
  process.exit(code);
}
const lines = readFileSync(join(folder, "bench.jsonl"), "utf8")
  .split("\n")
  .filter((line) => line !== "").length;
const db = new Database(join(folder, "bench.db"), { readonly: true });
const stored = db.prepare("SELECT COUNT(*) FROM generation_tasks WHERE status = 'success'").pluck().get() as number;
db.close();
rmSync(folder, { recursive: true, force: true });
const conversations = seeds * 7 * 4;
const idealMs = (conversations * latencyMs) / concurrency;
process.stdout.write(
  `${JSON.stringify({
    conversations,
    written: lines,
    stored,
    wallMs,
    idealMs,
    ratio: idealMs / wallMs,
    cpuMsPerConversation: (cpu.user + cpu.system) / 1000 / conversations,
    peakRssMb: peakRss / 1024 / 1024,
    heapAfterGcMb,
    summary: printed.find((line) => line.startsWith("conversations:")) ?? "",
  })}\n`,
);
