/**
 * `medsafety store copy` (issue 14) as a user runs it: the fixture scenario's SQLite store copied into PostgreSQL and
 * back into a new SQLite file; `report --format json` is the same from all three stores. A second copy adds nothing,
 * the URL's password is never printed, and the usual mistakes (a missing source, an unknown run, the same store twice)
 * are one paragraph each. Skipped with a printed reason outside CI when PostgreSQL is missing (test/support/postgres.ts).
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { copyFixtureStore } from "../support/fixture-stores.js";
import { runInProcess } from "../support/in-process-cli.js";
import { postgresForTests } from "../support/postgres.js";
import { tempProject } from "./cli-harness.js";
import { SCENARIO_RUN } from "./scenario.js";

const postgres = postgresForTests();
const PASSWORD = "s3cret-pw";

interface CopyJson {
  from: string;
  to: string;
  runs: string[];
  alreadyCopied: string[];
  tables: Array<{ table: string; read: number; inserted: number }>;
}

describe.skipIf(postgres.skipReason !== undefined)("store copy: SQLite → PostgreSQL → SQLite (e2e)", () => {
  let project: string;
  let runId: string;
  let pgUrl: string;

  async function cli(args: readonly string[]): Promise<string> {
    const result = await runInProcess(args, { cwd: project });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
    return result.stdout;
  }

  const report = (store: string): Promise<string> =>
    cli(["report", "--store", store, "--run", runId, "--format", "json"]);

  beforeAll(async () => {
    project = tempProject("medsafety-store-copy-");
    [runId = ""] = (await copyFixtureStore("scenario", SCENARIO_RUN, project)).runIds;
    const url = new URL(await postgres.newDatabase());
    // The test cluster trusts every login: the password is only there to check it is never printed.
    url.password = PASSWORD;
    pgUrl = url.toString();
  }, 240_000);

  it("copies the run into PostgreSQL with every row and back into a new SQLite file: the same report", async () => {
    const there = JSON.parse(await cli(["store", "copy", "--from", "store.db", "--to", pgUrl, "--json"])) as CopyJson;
    expect(there.runs).toEqual([runId]);
    expect(there.from).toBe(join(project, "store.db"));
    expect(there.to).toBe(pgUrl.replace(PASSWORD, "***"));
    const rows = Object.fromEntries(there.tables.map((table) => [table.table, table]));
    // Every row of the run is new in PostgreSQL: the scenario's turns, each successful one judged by two judges.
    for (const table of ["items", "runs", "run_items", "turns", "judgments"]) {
      expect(rows[table]?.read, table).toBeGreaterThan(0);
      expect(rows[table]?.inserted, table).toBe(rows[table]?.read);
    }
    const judgments = rows["judgments"]?.read ?? 0;
    expect(judgments).toBeGreaterThan(rows["turns"]?.read ?? 0);

    const back = JSON.parse(await cli(["store", "copy", "--from", pgUrl, "--to", "back.db", "--json"])) as CopyJson;
    expect(back.tables.find((table) => table.table === "judgments")).toMatchObject({
      read: judgments,
      inserted: judgments,
    });
    expect(await report("back.db")).toBe(await report("store.db"));
  });

  it("report --format json from PostgreSQL is the report from SQLite", async () => {
    const fromSqlite = await report("store.db");
    const fromPostgres = await report(pgUrl);
    expect(JSON.parse(fromPostgres)).toEqual(JSON.parse(fromSqlite));
    expect(fromPostgres).toBe(fromSqlite);
  });

  it("a second copy adds nothing and says the run was there already", async () => {
    const text = await cli(["store", "copy", "--from", "store.db", "--to", pgUrl, "--run", "latest"]);
    expect(text).toContain(`copied 0 runs from ${join(project, "store.db")} to postgres://postgres:***@`);
    expect(text).toContain(`already in the target (same record and rows, not read again): ${runId}`);
    expect(text).toMatch(/response_cache\s*│\s*\d+\s*│\s*0\s*│/);
    expect(text).toMatch(/judgments\s*│\s*0\s*│\s*0\s*│/);
  });

  it("mistakes are one paragraph: a missing source, an unknown run, the same store twice", async () => {
    const missing = await runInProcess(["store", "copy", "--from", "nope.db", "--to", pgUrl], { cwd: project });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`No store at ${join(project, "nope.db")}`);
    const unknown = await runInProcess(["store", "copy", "--from", "store.db", "--to", "x.db", "--run", "zzz"], {
      cwd: project,
    });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('Run "zzz" is not in this store');
    const same = await runInProcess(["store", "copy", "--from", pgUrl, "--to", pgUrl], { cwd: project });
    expect(same.code).toBe(2);
    expect(same.stderr).toContain("--from and --to name the same store (postgres://postgres:***@");
    for (const result of [missing, unknown, same]) expect(result.stderr).not.toContain(PASSWORD);
  });
});
