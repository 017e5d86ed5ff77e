/**
 * The report of the paper-figures scenario (issue 16, decision 0026), for looking at every paper figure by eye and
 * for the closing note (run by hand, never in `npm test`):
 *
 *   npm run build && node dist/bench/paper-figures.js <out-dir>      (default: a new /tmp/medsafety-paper-figures-* folder)
 *
 * Runs the scenario of test/support/paper-scenario.ts (8 targets in two families with several sizes, two medical
 * fine-tunes with `baseModel`, 7 strategies × ja + en × 3 turns with declining scripted judge scores, a benign set
 * judged with the helpfulness rubric) through the real CLI against the fixture server, then writes its report to
 * <out-dir>: report-en.html, report-ja.html, report-en.md, report-ja.md, report.json, report.csv and report-en.txt
 * (the terminal table). The store and config stay in <out-dir>/project.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startFixtureServer } from "../src/testing/index.js";
import { PAPER_ITEMS, paperConfig, paperHandler } from "../test/support/paper-scenario.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CLI = join(ROOT, "bin", "medsafety.js");
const OUT = resolve(process.argv[2] ?? mkdtempSync(join(tmpdir(), "medsafety-paper-figures-")));

function cli(args: readonly string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

async function must(args: readonly string[], cwd: string): Promise<string> {
  const result = await cli(args, cwd);
  if (result.code !== 0) throw new Error(`medsafety ${args.join(" ")} exited ${result.code}:\n${result.stderr}`);
  return result.stdout;
}

async function main(): Promise<void> {
  const project = join(OUT, "project");
  mkdirSync(project, { recursive: true });
  const server = await startFixtureServer({ handler: paperHandler, record: false });
  try {
    writeFileSync(join(project, "bench.jsonl"), PAPER_ITEMS.map((item) => `${JSON.stringify(item)}\n`).join(""));
    writeFileSync(join(project, "medsafety.config.yaml"), paperConfig(server.openaiBaseURL));
    await must(["run", "-c", "medsafety.config.yaml", "--no-progress"], project);
  } finally {
    await server.close();
  }
  const written: string[] = [];
  const report = async (file: string, args: readonly string[]): Promise<void> => {
    const path = join(OUT, file);
    await must(["report", "--store", "store.db", "--out", path, ...args], project);
    written.push(path);
  };
  for (const lang of ["en", "ja"] as const) {
    await report(`report-${lang}.html`, ["--format", "html", "--lang", lang]);
    await report(`report-${lang}.md`, ["--format", "md", "--lang", lang]);
  }
  await report("report.json", ["--format", "json"]);
  await report("report.csv", ["--format", "csv"]);
  await report("report-en.txt", ["--format", "table"]);
  process.stdout.write(
    `paper-figures scenario: ${written.length} files in ${OUT}\n${written.map((path) => `  ${path}\n`).join("")}`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
