import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FixtureServer, startFixtureServer } from "../../src/testing/index.js";
import { runInProcess } from "../support/in-process-cli.js";
import { postgresForTests } from "../support/postgres.js";
import { printedRunId, tempProject, writeJsonl } from "./cli-harness.js";
import { SCENARIO_ITEMS, scenarioConfig, scenarioHandler } from "./scenario.js";

const postgres = postgresForTests();

/** Vega numbers the clip paths and gradients of its SVGs per process, so a second render in one process differs. */
function chartIdsMasked(text: string): string {
  return text.replace(/\b(clip|gradient_)\d+\b/g, "$1#");
}

interface RunFacts {
  readonly id: string;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly configHash: string;
}

/**
 * The same fixture scenario run by `medsafety run` into a SQLite file and into a PostgreSQL store (`--store
 * postgres://…`, one process, no workers): every report format reads the same from both, once the run's own facts
 * (id, times, the config hash, which holds the store's location) are masked.
 */
describe.skipIf(postgres.skipReason !== undefined)("a PostgreSQL store through the CLI (e2e, fixture server)", () => {
  let server: FixtureServer;
  let project: string;
  let url: string;
  const runs: Record<"sqlite" | "postgres", RunFacts | undefined> = { sqlite: undefined, postgres: undefined };

  async function cli(
    args: readonly string[],
    store: string,
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    return runInProcess([...args, "--store", store], { cwd: project });
  }

  function storeOf(backend: "sqlite" | "postgres"): string {
    return backend === "sqlite" ? "store.db" : url;
  }

  async function report(backend: "sqlite" | "postgres", format: string, lang = "en"): Promise<string> {
    const run = runs[backend];
    if (run === undefined) throw new Error("no run");
    const result = await cli(["report", "--run", run.id, "--format", format, "--lang", lang], storeOf(backend));
    expect(result.code, result.stderr).toBe(0);
    let text = result.stdout;
    const replacements: Array<[string, string]> = [
      [run.id, "<run>"],
      [run.createdAt, "<created>"],
      [run.configHash, "<config-hash>"],
      [run.configHash.slice(0, 12), "<config-hash>"],
    ];
    if (run.finishedAt !== null) replacements.push([run.finishedAt, "<finished>"]);
    for (const [from, to] of replacements) text = text.split(from).join(to);
    return text;
  }

  beforeAll(async () => {
    url = await postgres.newDatabase();
    server = await startFixtureServer({ handler: scenarioHandler });
    project = tempProject("medsafety-postgres-");
    writeJsonl(join(project, "bench.jsonl"), SCENARIO_ITEMS);
    writeFileSync(join(project, "medsafety.config.yaml"), scenarioConfig(server.openaiBaseURL));
    for (const backend of ["sqlite", "postgres"] as const) {
      const result = await cli(["run", "-c", "medsafety.config.yaml", "--no-progress"], storeOf(backend));
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const id = printedRunId(result.stdout);
      const json = JSON.parse((await cli(["report", "--run", id, "--format", "json"], storeOf(backend))).stdout);
      runs[backend] = json.run as RunFacts;
    }
  });

  afterAll(async () => {
    await server?.close();
  });

  it("never prints the store's password, and names the store by its URL", async () => {
    const withPassword = url.replace("postgres@", "postgres:s3cret-pw@");
    const result = await cli(["runs", "list"], withPassword);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).not.toContain("s3cret-pw");
    expect(result.stdout).toContain(runs.postgres?.id ?? "missing");
  });

  it("gives the same JSON, CSV and Markdown (ja and en) report as the SQLite store", async () => {
    for (const [format, lang] of [
      ["json", "en"],
      ["csv", "en"],
      ["md", "en"],
      ["md", "ja"],
      ["table", "en"],
      ["html", "ja"],
    ] as const) {
      const [fromSqlite, fromPostgres] = [await report("sqlite", format, lang), await report("postgres", format, lang)];
      expect(fromPostgres.length, `${format} ${lang}`).toBeGreaterThan(200);
      expect(chartIdsMasked(fromPostgres), `${format} ${lang}`).toBe(chartIdsMasked(fromSqlite));
    }
  });

  it("resumes a finished run on PostgreSQL without calling anything again", async () => {
    const before = server.requests.length;
    const result = await cli(
      ["run", "-c", "medsafety.config.yaml", "--resume", runs.postgres?.id ?? "", "--no-progress"],
      url,
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(server.requests.length).toBe(before);
  });

  it("refuses an unreachable PostgreSQL store with one paragraph naming it, exit 2", async () => {
    const result = await cli(["runs", "list"], "postgres://medsafety:pw@127.0.0.1:1/medsafety");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /Cannot connect to the PostgreSQL store postgres:\/\/medsafety:\*\*\*@127\.0\.0\.1:1\/medsafety/,
    );
    expect(result.stderr).not.toContain(":pw@");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
