import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const CLI = join(REPO_ROOT, "bin", "medsafety.js");
export const SHARED_MODELS = resolve(REPO_ROOT, "../shared/models");

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Called once the process started, e.g. to kill it mid-run. */
  readonly onSpawn?: (child: ChildProcess) => void;
}

/** Runs the real CLI (`node bin/medsafety.js`, the compiled package) as a user would, asynchronously. */
export function runCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", ...options.env };
    delete env["MEDSAFETY_STORE"];
    if (options.env?.["MEDSAFETY_STORE"] !== undefined) env["MEDSAFETY_STORE"] = options.env["MEDSAFETY_STORE"];
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
    options.onSpawn?.(child);
  });
}

/** A fresh temporary project folder. */
export function tempProject(prefix = "medsafety-e2e-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeJsonl(path: string, rows: readonly unknown[]): void {
  writeFileSync(path, `${rows.map((row) => JSON.stringify(row)).join("\n")}\n`, "utf8");
}

/** The run id the CLI printed (`run id: <id>`). */
export function printedRunId(stdout: string): string {
  const match = /^run id: (\S+)$/m.exec(stdout);
  if (match?.[1] === undefined) throw new Error(`no run id in output:\n${stdout}`);
  return match[1];
}
