import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import { copyFixtureStore } from "../support/fixture-stores.js";
import { runInProcess } from "../support/in-process-cli.js";
import { runCli, tempProject } from "./cli-harness.js";
import { SCENARIO_RUN } from "./scenario.js";

/** One paragraph: a single `medsafety:` line, no stack trace. */
function expectOneParagraph(stderr: string): void {
  const lines = stderr.trim().split("\n");
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^medsafety: /);
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr).not.toMatch(/SqliteError/);
}

describe("read-only commands never create a store (issue 12, item 9, e2e)", () => {
  const commands: ReadonlyArray<readonly string[]> = [
    ["report"],
    ["report", "--format", "json"],
    ["runs", "list"],
    ["runs", "show", "latest"],
    ["view", "--port", "0"],
    ["export", "sft", "--format", "alpaca", "--out", "sft.jsonl"],
    ["reviews", "list"],
    ["reviews", "export", "--out", "reviews.jsonl"],
    ["plot", "tradeoff"],
  ];

  for (const command of commands) {
    it(`${command.join(" ")} without a store says so, naming the default path, and creates nothing`, async () => {
      const folder = tempProject("medsafety-nostore-");
      // Before the fix `view` started a server on a new empty store: a process, stopped rather than waited for.
      let timer: NodeJS.Timeout | undefined;
      const result =
        command[0] === "view"
          ? await runCli(command, { cwd: folder, onSpawn: (child) => (timer = setTimeout(() => child.kill(), 20_000)) })
          : await runInProcess(command, { cwd: folder });
      clearTimeout(timer);
      expect(result.code, result.stderr).toBe(2);
      expectOneParagraph(result.stderr);
      expect(result.stderr).toContain(`No store at ${join(folder, ".medsafety", "medsafety.db")}.`);
      expect(result.stderr).toContain("medsafety run");
      expect(readdirSync(folder)).toEqual([]);
    });
  }

  it("--store naming a missing file: the same, with that path", async () => {
    const folder = tempProject("medsafety-nostore-");
    const result = await runInProcess(["runs", "list", "--store", "typo.db"], { cwd: folder });
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toContain(`No store at ${join(folder, "typo.db")}.`);
    expect(existsSync(join(folder, "typo.db"))).toBe(false);
  });
});

describe("foreign and unusable store files (issue 12, item 8, e2e)", () => {
  it("a file that is not a SQLite database: exit 2 naming it, no SqliteError", async () => {
    const folder = tempProject("medsafety-foreign-");
    writeFileSync(join(folder, "notes.db"), "my notes, not a database\n".repeat(300));
    const result = await runInProcess(["report", "--store", "notes.db"], { cwd: folder });
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toContain(`${join(folder, "notes.db")} is not a SQLite database`);
  });

  it("a folder given as the store: exit 2 naming it", async () => {
    const folder = tempProject("medsafety-foreign-");
    mkdirSync(join(folder, "stores"));
    const result = await runInProcess(["runs", "list", "--store", "stores"], { cwd: folder });
    expect(result.code).toBe(2);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toContain(`${join(folder, "stores")} is a folder`);
  });
});

describe("a damaged store (issue 12, item 8, e2e)", () => {
  let project: string;

  beforeAll(async () => {
    project = tempProject("medsafety-damaged-");
    await copyFixtureStore("scenario", SCENARIO_RUN, project);
  }, 120_000);

  /** A copy of the run's store with bytes overwritten in the middle of a data page of the index a report reads. */
  function damagedCopy(name: string): string {
    const path = join(project, name);
    copyFileSync(join(project, "store.db"), path);
    const db = new Database(path, { readonly: true });
    const page = db
      .prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'judgments_report'")
      .pluck()
      .get() as number;
    const pageSize = db.pragma("page_size", { simple: true }) as number;
    db.close();
    const descriptor = openSync(path, "r+");
    // The cell content area sits at the end of a b-tree page: garbage there changes stored values in place.
    writeSync(descriptor, Buffer.alloc(64, 0xff), 0, 64, (page - 1) * pageSize + pageSize - 1096);
    closeSync(descriptor);
    return path;
  }

  it("store check on a healthy store: exit 0, ok", async () => {
    const result = await runInProcess(["store", "check", "--store", "store.db"], { cwd: project });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`store ${join(project, "store.db")}: ok`);
  });

  it("report does not print changed statistics and exit 0: it names the store and store check", async () => {
    const path = damagedCopy("damaged-report.db");
    // The real binary: exit code 5 as the shell sees it.
    const result = await runCli(["report", "--format", "json", "--store", path], { cwd: project });
    expect(result.code).not.toBe(0);
    expect(result.code).toBe(5);
    expect(result.stdout).toBe("");
    expectOneParagraph(result.stderr);
    expect(result.stderr).toContain(`The store ${path}`);
    expect(result.stderr).toContain("damaged");
    expect(result.stderr).toContain("medsafety store check");
  });

  it("store check reports the damage naming the file, exit 5", async () => {
    const path = damagedCopy("damaged-check.db");
    const result = await runInProcess(["store", "check", "--store", path], { cwd: project });
    expect(result.code).toBe(5);
    expect(result.stdout).toContain(`${path}: `);
    expect(result.stdout).toMatch(/judgments_report/);
    expectOneParagraph(result.stderr);
    expect(result.stderr).toContain(`The store ${path} is damaged`);
    const json = await runInProcess(["store", "check", "--json", "--store", path], { cwd: project });
    expect(json.code).toBe(5);
    expect(JSON.parse(json.stdout)).toMatchObject({ store: path, ok: false });
  });
});
