/**
 * `npm run bench:report`: how long `medsafety report` takes, and how much memory it needs, on a run at
 * JMedEthicBench scale: by default 27 targets × 54,000 conversations × 3 turns ≈ 4.37 M turns and ≈ 8.75 M
 * judgments (two judges) in one SQLite store (see bench/report-store.ts, which builds it or reuses it).
 * Each format is timed in a child process as a user runs it (`node bin/medsafety.js report --store <path>
 * --run latest --format <f> --out <file>`; stdout is redirected to the file when the CLI has no --out yet):
 * wall time, the child's peak RSS (`/usr/bin/time -f %M`, or `process.resourceUsage().maxRSS` through a
 * preload where that is missing) and the output size. Targets: < 30 s and < 2 GB peak RSS per format.
 * A format the CLI does not accept is reported as not available, with the CLI's error, not as a failure.
 * Env: BENCH_REPORT_MODELS (default 27), BENCH_REPORT_CONVERSATIONS (default 54000), BENCH_REPORT_SEED (1),
 * BENCH_REPORT_STORE (keep / reuse the store at this path; default: a temp dir, removed afterwards),
 * BENCH_REPORT_FORMATS (default json,html), BENCH_REPORT_PROFILE=1 (then re-run each format with --cpu-prof
 * and print where the time goes: the report's own functions by inclusive time, and the top self-time frames).
 * BENCH_REPORT_POSTGRES=<postgres:// URL of an existing database>: also copy the store into that PostgreSQL database
 * (`copyStore`, as `medsafety store copy` does; a database that already holds the run is reused) and time each format
 * there too, printing both backends' figures (target on PostgreSQL: < 60 s).
 */
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { constants as osConstants, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { redactUrl } from "../src/core/index.js";
import { copyStore, openStore } from "../src/store/index.js";
import { ensureReportStore } from "./report-store.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const bin = join(root, "bin/medsafety.js");
const MODELS = Number(process.env["BENCH_REPORT_MODELS"] ?? 27);
const CONVERSATIONS = Number(process.env["BENCH_REPORT_CONVERSATIONS"] ?? 54_000);
const SEED = Number(process.env["BENCH_REPORT_SEED"] ?? 1);
const KEPT_STORE = process.env["BENCH_REPORT_STORE"];
const FORMATS = (process.env["BENCH_REPORT_FORMATS"] ?? "json,html").split(",").filter((format) => format !== "");
const PROFILE = process.env["BENCH_REPORT_PROFILE"] === "1";
const POSTGRES = process.env["BENCH_REPORT_POSTGRES"];
const POSTGRES_TARGET_SECONDS = 60;
const TARGET_SECONDS = 30;
const TARGET_RSS_MB = 2048;
const MB = 2 ** 20;

interface Measured {
  readonly ok: boolean;
  readonly wallSeconds: number;
  readonly peakRssMb: number;
  readonly outputMb: number;
  /** First line of the child's stderr when it failed. */
  readonly error: string;
  /** Set when the child was killed by a signal (e.g. 9: the OOM killer or someone's kill), not refused by the CLI. */
  readonly signal: number | undefined;
}

/** GNU time writes the peak RSS (KiB) to a file; falls back to the preload where it does not run. */
const useTime = spawnSync("/usr/bin/time", ["-f", "%M", "true"], { stdio: "ignore" }).status === 0;

function cliHelp(): string {
  const help = spawnSync(process.execPath, [bin, "report", "--help"], { encoding: "utf8" });
  return `${help.stdout}${help.stderr}`;
}

async function measure(
  storePath: string,
  format: string,
  outDir: string,
  hasOut: boolean,
  nodeFlags: readonly string[] = [],
): Promise<Measured> {
  const outFile = join(outDir, `report.${format}`);
  const rssFile = join(outDir, `rss.${format}`);
  rmSync(outFile, { force: true });
  rmSync(rssFile, { force: true });
  const cli = [
    bin,
    "report",
    "--store",
    storePath,
    "--run",
    "latest",
    "--format",
    format,
    ...(hasOut ? ["--out", outFile] : []),
  ];
  const [command, args] = useTime
    ? ["/usr/bin/time", ["-f", "%M", "-o", rssFile, process.execPath, ...nodeFlags, ...cli]]
    : [process.execPath, ["--import", pathToFileURL(join(here, "report-rss.js")).href, ...nodeFlags, ...cli]];
  const stdout = hasOut ? "ignore" : openSync(outFile, "w");
  const started = performance.now();
  const child = spawn(command, args, {
    stdio: ["ignore", stdout, "pipe"],
    env: { ...process.env, BENCH_RSS_FILE: rssFile },
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const [code, signalName] = (await once(child, "close")) as [number | null, NodeJS.Signals | null];
  const wallSeconds = (performance.now() - started) / 1000;
  if (typeof stdout === "number") closeSync(stdout);
  const rssLines = existsSync(rssFile) ? readFileSync(rssFile, "utf8").trim().split("\n") : [];
  const peakKb = Number(rssLines.at(-1) ?? Number.NaN);
  const error =
    stderr
      .split("\n")
      .map((line) => line.trim())
      .find((line) => line !== "" && !line.startsWith("Command exited")) ?? `exit code ${code}`;
  // GNU time exits with 128 + n when the command died of signal n.
  const signal =
    signalName !== null
      ? osConstants.signals[signalName]
      : code !== null && code > 128 && useTime
        ? code - 128
        : undefined;
  return {
    ok: code === 0,
    wallSeconds,
    peakRssMb: (peakKb * 1024) / MB,
    outputMb: existsSync(outFile) ? statSync(outFile).size / MB : Number.NaN,
    error,
    signal,
  };
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

/** Inclusive time of the project's own functions, and the top self-time frames, from a .cpuprofile. */
function summariseProfile(path: string): {
  total: number;
  inclusive: Array<[string, number]>;
  self: Array<[string, number]>;
} {
  const profile = JSON.parse(readFileSync(path, "utf8")) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const parent = new Map<number, number>();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const name = (node: ProfileNode): string => {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.includes("/dist/") ? url.slice(url.lastIndexOf("/dist/") + 6) : url.split("/").slice(-2).join("/");
    return `${functionName === "" ? "(anonymous)" : functionName}${file === "" ? "" : ` ${file}:${lineNumber + 1}`}`;
  };
  const inclusive = new Map<string, number>();
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((sample, index) => {
    const delta = (profile.timeDeltas[index] ?? 0) / 1000;
    total += delta;
    const leaf = byId.get(sample);
    if (leaf === undefined) return;
    self.set(name(leaf), (self.get(name(leaf)) ?? 0) + delta);
    const seen = new Set<string>();
    for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id);
      if (node === undefined || !node.callFrame.url.includes("/dist/src/")) continue;
      const key = name(node);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + delta);
    }
  });
  const top = (map: Map<string, number>, count: number): Array<[string, number]> =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, count);
  return { total, inclusive: top(inclusive, 14), self: top(self, 10) };
}

/** Times every format on one store (`label` prefixes its lines); returns the formats the CLI produced. */
async function measureFormats(
  store: string,
  label: string,
  outDir: string,
  hasOut: boolean,
  targetSeconds: number,
): Promise<string[]> {
  const available: string[] = [];
  for (const format of FORMATS) {
    const result = await measure(store, format, outDir, hasOut);
    if (!result.ok) {
      if (result.signal !== undefined) {
        console.log(
          `${label}report --format ${format}: killed by signal ${result.signal} after ${result.wallSeconds.toFixed(1)} s (peak RSS ${result.peakRssMb.toFixed(0)} MB)`,
        );
      } else {
        console.log(`${label}${format}: not available (${result.error})`);
      }
      if (format === "json" || result.signal !== undefined) process.exitCode = 1;
      continue;
    }
    available.push(format);
    const met = result.wallSeconds < targetSeconds && result.peakRssMb < TARGET_RSS_MB;
    console.log(
      `${label}report --format ${format}: wall ${result.wallSeconds.toFixed(1)} s, peak RSS ${result.peakRssMb.toFixed(0)} MB, output ${result.outputMb.toFixed(2)} MB; ` +
        `target < ${targetSeconds} s and < ${TARGET_RSS_MB / 1024} GB: ${met ? "met" : "NOT met"}`,
    );
  }
  return available;
}

/**
 * Copies the bench store into the PostgreSQL database at `url` with `copyStore` (what `medsafety store copy` runs),
 * printing the rows per table and the time; a database that already holds the run is left as it is.
 */
function copyToPostgres(sqlitePath: string, url: string): void {
  const from = openStore(sqlitePath, undefined, { mustExist: true });
  try {
    const to = openStore(url);
    try {
      console.log(`postgres: copying the store into ${redactUrl(url)}${to.applied.length > 0 ? " (new store)" : ""}`);
      let last = performance.now();
      const result = copyStore(from.db, to.db, {
        onProgress: (step) => {
          if (step.done || performance.now() - last < 30_000) return;
          last = performance.now();
          console.log(`  ... ${step.table}: ${step.read.toLocaleString("en")} rows`);
        },
      });
      for (const table of result.tables)
        if (table.read > 0)
          console.log(
            `  ${table.table}: ${table.read.toLocaleString("en")} rows read, ${table.inserted.toLocaleString("en")} new, ${table.seconds.toFixed(1)} s`,
          );
      const rows = result.tables.reduce((sum, table) => sum + table.inserted, 0);
      console.log(
        `postgres: store copy ${result.seconds.toFixed(1)} s (${rows.toLocaleString("en")} rows new${result.alreadyCopied.length > 0 ? `; run ${result.alreadyCopied.join(", ")} was there already` : ""}, ${result.seconds > 0 ? Math.round(rows / result.seconds).toLocaleString("en") : "-"} rows/s)`,
      );
    } finally {
      to.db.close();
    }
  } finally {
    from.db.close();
  }
}

const tempRoot = mkdtempSync(join(tmpdir(), "medsafety-bench-report-"));
const storePath = resolve(KEPT_STORE ?? join(tempRoot, "store.db"));
try {
  console.log(
    `report: ${MODELS} targets × ${CONVERSATIONS} conversations × 3 turns, 2 judges, seed ${SEED}; store ${storePath}${KEPT_STORE === undefined ? " (temporary)" : ""}`,
  );
  const info = await ensureReportStore({ path: storePath, models: MODELS, conversations: CONVERSATIONS, seed: SEED });
  console.log(
    `store: run ${info.runId}, ${info.items.toLocaleString("en")} items, ${info.turns.toLocaleString("en")} turns, ${info.judgments.toLocaleString("en")} judgments, ` +
      `${(info.bytes / MB).toFixed(1)} MB; ${info.generated ? "generated" : "reused (generated earlier)"} in ${info.generationSeconds.toFixed(1)} s`,
  );
  const help = cliHelp();
  const hasOut = /--out\b/.test(help);
  if (!hasOut) console.log("note: the CLI's report has no --out yet: stdout is redirected to the output file");
  console.log(
    `peak RSS measured with ${useTime ? "/usr/bin/time -f %M" : "process.resourceUsage().maxRSS (preload; /usr/bin/time not usable)"}`,
  );
  const outDir = join(tempRoot, "out");
  mkdirSync(outDir, { recursive: true });
  const available = await measureFormats(storePath, "", outDir, hasOut, TARGET_SECONDS);
  if (POSTGRES !== undefined) {
    copyToPostgres(storePath, POSTGRES);
    await measureFormats(POSTGRES, "postgres ", outDir, hasOut, POSTGRES_TARGET_SECONDS);
  }
  if (PROFILE) {
    for (const format of available) {
      const dir = join(tempRoot, `profile-${format}`);
      mkdirSync(dir, { recursive: true });
      await measure(storePath, format, outDir, hasOut, ["--cpu-prof", "--cpu-prof-dir", dir]);
      const file = readdirSync(dir).find((entry) => entry.endsWith(".cpuprofile"));
      if (file === undefined) continue;
      const summary = summariseProfile(join(dir, file));
      console.log(
        `profile --format ${format} (--cpu-prof, ${(summary.total / 1000).toFixed(1)} s sampled; time under each project function, then top self time):`,
      );
      for (const [frame, ms] of summary.inclusive) console.log(`  ${(ms / 1000).toFixed(2).padStart(7)} s  ${frame}`);
      console.log("  -- self --");
      for (const [frame, ms] of summary.self) console.log(`  ${(ms / 1000).toFixed(2).padStart(7)} s  ${frame}`);
    }
  }
} finally {
  rmSync(tempRoot, { recursive: true, force: true });
}
