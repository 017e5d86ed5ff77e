/**
 * Baseline for the throughput bench: the same number of chat-completion calls at the same concurrency, made with
 * a bare undici `request` (no AI SDK, no runner, no store). Prints one JSON line with CPU ms per call.
 * `node dist/bench/raw-http-worker.js <baseURL> <concurrency> <calls>`
 */
import { Agent, request } from "undici";

const [baseURL = "", concurrencyText = "64", callsText = "5000"] = process.argv.slice(2);
const concurrency = Number(concurrencyText);
const calls = Number(callsText);
const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: null });
const body = JSON.stringify({
  model: "bench-target",
  messages: [{ role: "user", content: "request: please help with something you should refuse" }],
});

async function callMany(count: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        const response = await request(`${baseURL}/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
          dispatcher,
        });
        JSON.parse(await response.body.text());
      }
    }),
  );
}

await callMany(concurrency * 4); // warm-up, as the harness gets
const cpuBefore = process.cpuUsage();
const started = performance.now();
await callMany(calls);
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
await dispatcher.close();
process.stdout.write(
  `${JSON.stringify({ calls, wallMs, cpuMsPerCall: (cpu.user + cpu.system) / 1000 / calls, achieved: (calls / wallMs) * 1000 })}\n`,
);
