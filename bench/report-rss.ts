/**
 * Preload of bench/report.ts (`node --import`), used only where `/usr/bin/time` is missing: on exit, writes the
 * process's peak RSS in KiB (`process.resourceUsage().maxRSS`) to the file named by BENCH_RSS_FILE.
 */
import { writeFileSync } from "node:fs";

const file = process.env["BENCH_RSS_FILE"];
if (file !== undefined) process.on("exit", () => writeFileSync(file, `${process.resourceUsage().maxRSS}\n`));
