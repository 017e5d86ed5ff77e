/**
 * `npm run bench:startup`: how long the CLI takes to start, against bare node. In one run, interleaved (so load on a
 * shared machine hits every case alike), N times each (default 10): `node -e 0`, `node bin/medsafety.js --version`,
 * `--help` and `run --help`, as wall time of the whole process. Prints each case's median and its ratio to bare
 * node (target ≤ 3×, issue 13), then the packages `--version` loaded, so a module that slips back into the start-up
 * is named. Flags: --runs <n>; --bin <path> to measure another build, e.g. the code before a change
 * (`node dist/bench/startup.js --bin /tmp/before/bin/medsafety.js`).
 */
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { HEAVY_PACKAGES, loadedModules } from "../test/support/loaded-modules.js";

const TARGET_RATIO = 3;
const here = dirname(fileURLToPath(import.meta.url));

interface Case {
  readonly label: string;
  readonly args: readonly string[];
}

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
}

/** Wall time of one process, in milliseconds. */
function wallMs(args: readonly string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(" ")} exited with ${result.status}: ${result.stderr}`);
  return elapsed;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function main(): void {
  const runs = Number(flag("--runs") ?? "10");
  const bin = resolve(flag("--bin") ?? join(here, "..", "..", "bin", "medsafety.js"));
  const cases: Case[] = [
    { label: "node -e 0", args: ["-e", "0"] },
    { label: "medsafety --version", args: [bin, "--version"] },
    { label: "medsafety --help", args: [bin, "--help"] },
    { label: "medsafety run --help", args: [bin, "run", "--help"] },
  ];
  console.log(`CLI start-up: ${bin}, ${runs} runs of each case, interleaved (wall time of the process)`);
  for (const entry of cases) wallMs(entry.args); // warm the file cache
  const times = new Map<string, number[]>(cases.map((entry) => [entry.label, []]));
  for (let run = 0; run < runs; run += 1) for (const entry of cases) times.get(entry.label)?.push(wallMs(entry.args));
  const bare = median(times.get("node -e 0") ?? []);
  for (const entry of cases) {
    const values = times.get(entry.label) ?? [];
    const ratio = median(values) / bare;
    const verdict = entry.label === "node -e 0" ? "" : ratio <= TARGET_RATIO ? "  ok" : `  over ${TARGET_RATIO}×`;
    console.log(
      `  ${entry.label.padEnd(22)} median ${median(values).toFixed(0).padStart(6)} ms  ` +
        `(min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)})  ${ratio.toFixed(2)}× node${verdict}`,
    );
  }
  const loaded = loadedModules(bin, ["--version"]);
  const heavy = loaded.packages.filter((name) => (HEAVY_PACKAGES as readonly string[]).includes(name));
  console.log(
    `medsafety --version loaded ${loaded.urls.length} modules from ${loaded.packages.length} packages: ${loaded.packages.join(", ") || "none"}`,
  );
  console.log(`  heavy packages among them: ${heavy.length === 0 ? "none" : heavy.join(", ")}`);
}

main();
