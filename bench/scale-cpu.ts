/**
 * Preloaded by `npm run bench:scale` into every process it measures (`node --import …/dist/bench/scale-cpu.js
 * bin/medsafety.js …`): when the process exits, writes its CPU time (user and system microseconds, every thread of
 * the process, from its start) to the file named by `BENCH_SCALE_CPU_FILE`. Does nothing without that variable.
 */
import { writeFileSync } from "node:fs";
import { isMainThread } from "node:worker_threads";

const file = process.env["BENCH_SCALE_CPU_FILE"];
if (file !== undefined && isMainThread) {
  process.once("exit", () => {
    const { user, system } = process.cpuUsage();
    writeFileSync(file, `${user} ${system}\n`);
  });
}
