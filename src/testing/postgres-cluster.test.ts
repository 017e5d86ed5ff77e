import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { postgresForTests } from "../../test/support/postgres.js";
import { findPostgresBinaries, PostgresUnavailable, startPostgresCluster } from "./postgres-cluster.js";

const postgres = postgresForTests();
const scratch = mkdtempSync(join(tmpdir(), "medsafety-pgtest-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A folder holding empty files named like the server binaries. */
function fakeBindir(folder: string): string {
  mkdirSync(folder, { recursive: true });
  for (const name of ["initdb", "pg_ctl", "postgres"]) writeFileSync(join(folder, name), "");
  return folder;
}

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("findPostgresBinaries", () => {
  it("says where it looked and what to install when there are no server binaries", () => {
    const find = () => findPostgresBinaries({ pgConfig: null, versionRoots: [join(scratch, "none")], path: "" });
    expect(find).toThrow(PostgresUnavailable);
    expect(find).toThrow(
      `PostgreSQL server binaries not found (initdb; looked in ${join(scratch, "none")}/*/bin, PATH): install Debian's postgresql package`,
    );
  });

  it("takes the newest major version under a version root, then PATH", () => {
    const root = join(scratch, "versions");
    for (const version of ["9.6", "15", "10"]) fakeBindir(join(root, version, "bin"));
    mkdirSync(join(root, "16", "bin"), { recursive: true }); // a client-only install: no initdb
    expect(findPostgresBinaries({ pgConfig: null, versionRoots: [root], path: "" })).toEqual({
      bindir: join(root, "15", "bin"),
    });
    const onPath = fakeBindir(join(scratch, "path-bin"));
    expect(findPostgresBinaries({ pgConfig: null, versionRoots: [], path: `/nonexistent:${onPath}` })).toEqual({
      bindir: onPath,
    });
  });
});

describe.skipIf(postgres.skipReason !== undefined)("the test run's cluster", () => {
  it("gives each database to its own: a table in one is not in another", async () => {
    const [a, b] = await Promise.all([postgres.newDatabase(), postgres.newDatabase()]);
    expect(a).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/test_\d+_\d+$/);
    expect(a).not.toBe(b);
    await query(a, "CREATE TABLE only_in_a (x INTEGER)");
    expect(await query(a, "SELECT current_database() AS name, count(*)::int AS n FROM only_in_a")).toEqual([
      { name: new URL(a).pathname.slice(1), n: 0 },
    ]);
    await expect(query(b, "SELECT * FROM only_in_a")).rejects.toThrow('relation "only_in_a" does not exist');
  });

  it("clones a template built once: every clone starts with its content and changes stay in the clone", async () => {
    let builds = 0;
    const build = async (url: string) => {
      builds++;
      await query(url, "CREATE TABLE runs (id TEXT PRIMARY KEY); INSERT INTO runs VALUES ('r1')");
    };
    const [template, again] = await Promise.all([
      postgres.template("fixture_test_template", build),
      postgres.template("fixture_test_template", build),
    ]);
    expect([template, again, builds]).toEqual(["fixture_test_template", "fixture_test_template", 1]);
    const first = await postgres.newDatabase({ template });
    await query(first, "INSERT INTO runs VALUES ('r2')");
    const second = await postgres.newDatabase({ template });
    expect(await query(first, "SELECT id FROM runs ORDER BY id")).toEqual([{ id: "r1" }, { id: "r2" }]);
    expect(await query(second, "SELECT id FROM runs ORDER BY id")).toEqual([{ id: "r1" }]);
  });

  it("refuses a template name that is not a plain identifier", async () => {
    await expect(postgres.template('bad"name', async () => undefined)).rejects.toThrow(/template name/);
  });
});

describe.skipIf(postgres.skipReason !== undefined)("startPostgresCluster", () => {
  const parent = join(scratch, "clusters");
  mkdirSync(parent);
  // The server runs as the postgres user when the tests run as root: it must reach its folder.
  chmodSync(scratch, 0o755);
  chmodSync(parent, 0o755);

  it("ends and removes the cluster of a run that crashed, and removes its folder when initdb fails", async () => {
    const crashed = join(parent, "medsafety-pg-crashed");
    mkdirSync(join(crashed, "data"), { recursive: true });
    writeFileSync(join(crashed, "owner.pid"), "2147483646\n"); // no such process
    const server = spawn("sleep", ["30"], { stdio: "ignore" }); // stands in for its postmaster
    const ended = new Promise((resolve) => server.once("exit", (_code, signal) => resolve(signal)));
    writeFileSync(join(crashed, "data", "postmaster.pid"), `${server.pid}\n`);
    const binaries = { bindir: fakeBindir(join(scratch, "broken-bin")) }; // files that are not programs
    await expect(startPostgresCluster({ parent, binaries })).rejects.toThrow(/EACCES|initdb failed/);
    expect(await ended).toBe("SIGQUIT");
    expect(readdirSync(parent)).toEqual([]);
  });

  it("starts a private cluster on a free port with durability off, and stop() removes everything", async () => {
    const cluster = await startPostgresCluster({ parent });
    try {
      expect(cluster.adminUrl).toBe(`postgres://postgres@127.0.0.1:${cluster.port}/postgres`);
      const url = await cluster.createDatabase("one");
      expect(url).toBe(cluster.url("one"));
      expect(await query(url, "SHOW fsync")).toEqual([{ fsync: "off" }]);
      await cluster.dropDatabase("one");
      await expect(query(url, "SELECT 1")).rejects.toThrow('database "one" does not exist');
    } finally {
      await cluster.stop();
    }
    expect(existsSync(cluster.folder)).toBe(false);
    await expect(query(cluster.adminUrl, "SELECT 1")).rejects.toThrow(/ECONNREFUSED/);
  });
});
