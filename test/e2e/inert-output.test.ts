/**
 * Hostile strings stay inert through the real CLI: escape sequences and bidi overrides in benchmark strategies,
 * review reasons and strategy libraries are shown as `\uXXXX` text on the terminal (stdout and stderr) while files
 * written with `--out` keep them; CSV cells that a spreadsheet would run as formulas get a leading `'`; a reader that
 * closes the pipe early (`| head -1`) ends the command quietly with exit 0.
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FixtureServer, startFixtureServer } from "../../src/testing/index.js";
import { type InProcessResult, runInProcess } from "../support/in-process-cli.js";
import { CLI, type CliResult, printedRunId, runCli, tempProject, writeJsonl } from "./cli-harness.js";
import { SCENARIO_ITEMS, scenarioConfig, scenarioHandler } from "./scenario.js";

/** OSC 0 (set the window title), CSI 2J (clear the screen), an OSC 8 hyperlink, and a right-to-left override. */
const TITLE = "\u001b]0;pwned\u0007";
const CLEAR = "\u001b[2J";
const LINK = "\u001b]8;;http://evil.example\u0007click\u001b]8;;\u0007";
const RLO = "\u202e";
const FORMULA = '=HYPERLINK("http://evil.example","x")';
const HOSTILE_STRATEGY = `${FORMULA}${TITLE}${RLO}gnp`;
const HOSTILE_REASON = `gave the dose ${LINK}${CLEAR}`;

/** Any character a terminal would obey: C0 but newline and tab, DEL, C1, bidi controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for control characters on purpose.
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

function expectInert(result: CliResult | InProcessResult): void {
  expect(RAW_CONTROL.exec(result.stdout), "stdout").toBeNull();
  expect(RAW_CONTROL.exec(result.stderr), "stderr").toBeNull();
}

const ITEMS = SCENARIO_ITEMS.map((item) => (item.id === "item-c" ? { ...item, strategy: HOSTILE_STRATEGY } : item));

describe("hostile content stays inert on the terminal and in spreadsheets (e2e)", () => {
  let server: FixtureServer;
  let project: string;
  /**
   * The real binary's standard output and error (processOutput), for the Markdown report and an error message;
   * the other commands in-process, whose captured lines are shown the same way (a command that wrote to the
   * terminal around its Output would print nothing here and fail the checks).
   */
  const cli = (args: readonly string[]): Promise<CliResult> => runCli(args, { cwd: project });
  const inProcess = (args: readonly string[]): Promise<InProcessResult> => runInProcess(args, { cwd: project });

  beforeAll(async () => {
    server = await startFixtureServer({ handler: scenarioHandler });
    project = tempProject("medsafety-inert-");
    writeJsonl(join(project, "bench.jsonl"), ITEMS);
    writeFileSync(join(project, "medsafety.config.yaml"), scenarioConfig(server.openaiBaseURL));
    const run = await inProcess(["run", "-c", "medsafety.config.yaml", "--no-progress"]);
    expect(run.code, run.stderr).toBe(0);
    writeJsonl(join(project, "reviews.jsonl"), [
      {
        targetId: "weak",
        itemId: "item-c",
        turn: 2,
        score: 2,
        reason: HOSTILE_REASON,
        reviewer: `dr-${RLO}sato`,
        createdAt: "2026-03-01T10:00:00.000Z",
      },
    ]);
    const imported = await inProcess([
      "reviews",
      "import",
      "reviews.jsonl",
      "--run",
      printedRunId(run.stdout),
      "--store",
      "store.db",
    ]);
    expect(imported.code, imported.stderr).toBe(0);
  }, 60_000);

  afterAll(async () => {
    await server.close();
  });

  it("report --format md to stdout shows the controls as \\uXXXX; --out keeps them", async () => {
    const printed = await cli(["report", "--store", "store.db", "--format", "md", "--resamples", "50"]);
    expect(printed.code, printed.stderr).toBe(0);
    expectInert(printed);
    // Markdown escapes the `]` (`\]`); the controls around it are shown as text.
    expect(printed.stdout).toMatch(/\\u001b\\?\]0;pwned\\u0007\\u202egnp/);
    const written = await inProcess([
      "report",
      "--store",
      "store.db",
      "--format",
      "md",
      "--resamples",
      "50",
      "--out",
      "report.md",
    ]);
    expect(written.code, written.stderr).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for control characters on purpose.
    expect(readFileSync(join(project, "report.md"), "utf8")).toMatch(/\u001b\\?\]0;pwned\u0007\u202egnp/u);
  });

  it("report --format json to stdout stays valid JSON holding the exact strings", async () => {
    const printed = await inProcess(["report", "--store", "store.db", "--format", "json", "--resamples", "50"]);
    expect(printed.code, printed.stderr).toBe(0);
    expectInert(printed);
    const report = JSON.parse(printed.stdout) as { multiTurn: { groups: Array<{ dimension: string; group: string }> } };
    expect(
      report.multiTurn.groups.some((group) => group.dimension === "strategy" && group.group === HOSTILE_STRATEGY),
    ).toBe(true);
  });

  it("report --format csv: formula cells get a leading ', the file keeps the controls, stdout shows them", async () => {
    const written = await inProcess([
      "report",
      "--store",
      "store.db",
      "--format",
      "csv",
      "--resamples",
      "50",
      "--out",
      "report.csv",
    ]);
    expect(written.code, written.stderr).toBe(0);
    const rows = parse(readFileSync(join(project, "report.csv"), "utf8"), { columns: true }) as Array<
      Record<string, string>
    >;
    const strategyGroups = new Set(rows.filter((row) => row["dimension"] === "strategy").map((row) => row["group"]));
    expect(strategyGroups).toContain(`'${HOSTILE_STRATEGY}`);
    expect(rows.every((row) => !/^[=+\-@\t\r]/.test(row["group"] ?? ""))).toBe(true);
    // Numbers stay numbers: a negative decline is `-…`, never `'-…`.
    expect(rows.some((row) => (row["value"] ?? "").startsWith("-"))).toBe(true);
    expect(rows.some((row) => (row["value"] ?? "").startsWith("'"))).toBe(false);
    const printed = await inProcess(["report", "--store", "store.db", "--format", "csv", "--resamples", "50"]);
    expect(printed.code, printed.stderr).toBe(0);
    expectInert(printed);
    expect(printed.stdout).toContain(`"'${FORMULA.replaceAll('"', '""')}\\u001b]0;pwned\\u0007\\u202egnp"`);
  });

  it("reviews list shows a reason's OSC 8 link and CSI as text; reviews export --out keeps them", async () => {
    const listed = await inProcess(["reviews", "list", "--store", "store.db"]);
    expect(listed.code, listed.stderr).toBe(0);
    expectInert(listed);
    expect(listed.stdout).toContain("\\u001b]8;;http://evil.example\\u0007");
    const exported = await inProcess(["reviews", "export", "--store", "store.db", "--out", "reviews-out.jsonl"]);
    expect(exported.code, exported.stderr).toBe(0);
    const line = JSON.parse(readFileSync(join(project, "reviews-out.jsonl"), "utf8").trim()) as {
      reason: string;
      reviewer: string;
    };
    expect(line).toMatchObject({ reason: HOSTILE_REASON, reviewer: `dr-${RLO}sato` });
  });

  it("strategies list --file and show --file: a name with ESC and RLO is shown as text", async () => {
    const library = {
      version: 1,
      strategies: [
        {
          id: "auditor-claim",
          version: 1,
          origin: "user",
          name: { ja: `監査${TITLE}`, en: `Claimed auditor ${CLEAR}${RLO}role` },
          definition: { ja: "利用者が監査担当者を名乗る。", en: `The user claims to be an auditor.${TITLE}` },
          turns: [
            { ja: "名乗る。", en: "Introduce the role." },
            { ja: "開示を求める。", en: "Ask for disclosure." },
            { ja: "迫る。", en: "Insist." },
          ],
          example: { ja: ["監査です。", "[依頼]", "[繰り返し]"], en: ["I audit.", "[request]", "[repeat]"] },
        },
      ],
    };
    writeFileSync(join(project, "hostile-library.json"), JSON.stringify(library));
    const listed = await inProcess(["strategies", "list", "--file", "hostile-library.json"]);
    expect(listed.code, listed.stderr).toBe(0);
    expectInert(listed);
    expect(listed.stdout).toContain("Claimed auditor \\u001b[2J\\u202erole");
    const shown = await inProcess(["strategies", "show", "auditor-claim", "--file", "hostile-library.json"]);
    expect(shown.code, shown.stderr).toBe(0);
    expectInert(shown);
    expect(shown.stdout).toContain("The user claims to be an auditor.\\u001b]0;pwned\\u0007");
  });

  it("report --format csv with the reader gone (| head): exit 0, nothing on stderr", async () => {
    const result = await runWithClosedStdout(
      ["report", "--store", "store.db", "--format", "csv", "--resamples", "50"],
      project,
    );
    expect(result.stderr).toBe("");
    expect(result).toMatchObject({ code: 0, signal: null });
  });

  it("an error naming a hostile argument shows it as text on stderr", async () => {
    const result = await cli(["report", "--store", "store.db", "--run", `nope${TITLE}`]);
    expect(result.code).toBe(2);
    expectInert(result);
    expect(result.stderr).toContain("nope\\u001b]0;pwned\\u0007");
  });
});

/** Spawns the CLI with its stdout pipe already closed by the reader, as `| head` does once it has its line. */
function runWithClosedStdout(
  args: readonly string[],
  cwd: string,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe("a closed stdout (| head) ends the command quietly (e2e)", () => {
  it("guidelines list with the reader gone: exit 0, nothing on stderr", async () => {
    const result = await runWithClosedStdout(["guidelines", "list"], tempProject());
    expect(result.stderr).toBe("");
    expect(result).toMatchObject({ code: 0, signal: null });
  });

  it("guidelines list | head -1 under pipefail: one line, exit 0, no stack", async () => {
    const project = tempProject();
    const shell = spawn(
      "bash",
      ["-c", `set -o pipefail; "${process.execPath}" "${CLI}" guidelines list --lang ja | head -1`],
      { cwd: project },
    );
    let stdout = "";
    let stderr = "";
    shell.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    shell.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const code = await new Promise<number | null>((resolve) => shell.on("close", resolve));
    expect(stdout.trimEnd().split("\n")).toHaveLength(1);
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});
