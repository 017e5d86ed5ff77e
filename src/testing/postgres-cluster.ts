/**
 * A private PostgreSQL cluster for tests: `initdb` into a fresh temporary folder, the server on a free loopback port
 * (its unix socket inside that folder, trust authentication, durability off), databases created and dropped on it,
 * and everything removed on `stop()`. Run as root, the server runs as the `postgres` OS user (`runuser`), since
 * PostgreSQL refuses to run as root; as any other user it runs as that user.
 *
 * Without PostgreSQL's server binaries `startPostgresCluster` throws a `PostgresUnavailable` that says so; the test
 * support (test/support/postgres.ts) turns it into a skip outside CI and a failure in CI.
 */
import { execFileSync, spawn } from "node:child_process";
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { delimiter, join } from "node:path";
import pg from "pg";

/** Where the server binaries are (`initdb`, `pg_ctl`, `postgres` side by side). */
export interface PostgresBinaries {
  readonly bindir: string;
}

/** PostgreSQL cannot run here: no server binaries. `where` lists the places looked at. */
export class PostgresUnavailable extends Error {
  constructor(
    readonly where: string,
    message = `PostgreSQL server binaries not found (initdb; looked in ${where}): install Debian's postgresql package`,
  ) {
    super(message);
    this.name = "PostgresUnavailable";
  }
}

export interface FindBinariesOptions {
  /** The `pg_config` to ask for `--bindir` (default "pg_config" on PATH; `null`: do not ask). */
  readonly pgConfig?: string | null;
  /** Folders holding one folder per major version, each with `bin/` (default Debian's /usr/lib/postgresql). */
  readonly versionRoots?: readonly string[];
  /** The PATH to search last (default the process's). */
  readonly path?: string;
}

function hasServer(bindir: string): boolean {
  return ["initdb", "pg_ctl", "postgres"].every((name) => existsSync(join(bindir, name)));
}

/** Major versions, newest first ("15" before "9.6"). */
function newestFirst(versions: string[]): string[] {
  const parts = (version: string) => version.split(".").map((part) => Number.parseInt(part, 10) || 0);
  return versions.sort((a, b) => {
    const [x, y] = [parts(a), parts(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i++)
      if ((x[i] ?? 0) !== (y[i] ?? 0)) return (y[i] ?? 0) - (x[i] ?? 0);
    return 0;
  });
}

/**
 * Finds the server binaries: `pg_config --bindir`, else the newest `/usr/lib/postgresql/<version>/bin`, else the
 * folder of `initdb` on PATH. Throws `PostgresUnavailable` when none has `initdb`, `pg_ctl` and `postgres`.
 */
export function findPostgresBinaries(options: FindBinariesOptions = {}): PostgresBinaries {
  const looked: string[] = [];
  const pgConfig = options.pgConfig === undefined ? "pg_config" : options.pgConfig;
  if (pgConfig !== null) {
    looked.push(`${pgConfig} --bindir`);
    try {
      const bindir = execFileSync(pgConfig, ["--bindir"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
      if (hasServer(bindir.trim())) return { bindir: bindir.trim() };
    } catch {
      // No pg_config (or a broken one): look further.
    }
  }
  for (const root of options.versionRoots ?? ["/usr/lib/postgresql"]) {
    looked.push(`${root}/*/bin`);
    let versions: string[] = [];
    try {
      versions = readdirSync(root);
    } catch {
      continue;
    }
    for (const version of newestFirst(versions)) {
      const bindir = join(root, version, "bin");
      if (hasServer(bindir)) return { bindir };
    }
  }
  looked.push("PATH");
  for (const folder of (options.path ?? process.env["PATH"] ?? "").split(delimiter)) {
    if (folder !== "" && hasServer(folder)) return { bindir: folder };
  }
  throw new PostgresUnavailable(looked.join(", "));
}

/** A server's URL for database `name` (`postgres://postgres@127.0.0.1:PORT/NAME`), given any URL of that server. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

export interface CreateDatabaseOptions {
  /** Clone this database (it must have no open connections); default the server's `template1`. */
  readonly template?: string;
}

/**
 * Creates database `name` on the server of `adminUrl` (a superuser's URL) and returns its URL. Cloning a template
 * takes about 15 ms on this machine.
 */
export async function createDatabase(
  adminUrl: string,
  name: string,
  options: CreateDatabaseOptions = {},
): Promise<string> {
  const template = options.template === undefined ? "" : ` TEMPLATE ${quoteIdentifier(options.template)}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${quoteIdentifier(name)}${template}`));
  return databaseUrl(adminUrl, name);
}

/** Drops database `name` if it exists, ending its open connections first. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`));
}

export interface PostgresCluster {
  readonly port: number;
  /** The temporary folder: the data directory, the unix socket, the server log. Removed by `stop()`. */
  readonly folder: string;
  /** The superuser's URL of the `postgres` database: `postgres://postgres@127.0.0.1:PORT/postgres`. */
  readonly adminUrl: string;
  /** The URL of database `name` on this cluster. */
  url(name: string): string;
  createDatabase(name: string, options?: CreateDatabaseOptions): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  /** Stops the server at once (`pg_ctl stop -m immediate`) and removes the folder. */
  stop(): Promise<void>;
}

export interface StartClusterOptions {
  /** Default: `findPostgresBinaries()`. */
  readonly binaries?: PostgresBinaries;
  /** Where the cluster's folder is made (default the OS temporary folder); as root, the postgres user must reach it. */
  readonly parent?: string;
  /** Milliseconds to wait for the server to accept connections (default 60 000). */
  readonly timeoutMs?: number;
}

/** The cluster folders this module makes: `medsafety-pg-XXXXXX`, with the owning process's id in `owner.pid`. */
const FOLDER_PREFIX = "medsafety-pg-";
const OWNER_FILE = "owner.pid";
const DAY_MS = 24 * 60 * 60 * 1000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, "utf8").split("\n")[0] ?? "", 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Ends a server: immediate shutdown (SIGQUIT, what `pg_ctl stop -m immediate` sends), SIGKILL after 5 s. */
async function endServer(postmaster: number): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(postmaster, name);
    } catch {
      // Gone already.
    }
  };
  signal("SIGQUIT");
  for (let waited = 0; processAlive(postmaster); waited += 50) {
    if (waited >= 5000) return signal("SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Removes the clusters of earlier runs that ended before `stop()` (a crash, a killed test run): a folder whose owning
 * process is gone (or, without an owner file, older than a day) has its server ended and is removed. The clusters of
 * runs still going stay.
 */
async function removeStaleClusters(parent: string): Promise<void> {
  let names: string[];
  try {
    names = readdirSync(parent).filter((name) => name.startsWith(FOLDER_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const folder = join(parent, name);
    try {
      const owner = readPid(join(folder, OWNER_FILE));
      const stale = owner === undefined ? Date.now() - statSync(folder).mtimeMs > DAY_MS : !processAlive(owner);
      if (!stale) continue;
      const postmaster = readPid(join(folder, "data", "postmaster.pid"));
      if (postmaster !== undefined && processAlive(postmaster)) await endServer(postmaster);
      rmSync(folder, { recursive: true, force: true });
    } catch {
      // Someone else's folder, or one being removed: leave it.
    }
  }
}

/** A port no one listens on now (the OS picks it; a race with another process is retried by the caller). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

interface RunResult {
  readonly code: number | null;
  readonly output: string;
}

/** The `postgres` OS user's ids, which the server runs as when we are root. */
function postgresUser(): { uid: number; gid: number } {
  let ids = "";
  try {
    ids = execFileSync("id", ["postgres"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    // No such user: said below.
  }
  const match = /uid=(\d+).*?gid=(\d+)/.exec(ids);
  if (match === null)
    throw new Error(
      "running as root, PostgreSQL must run as the `postgres` OS user, and there is none (`id postgres`)",
    );
  return { uid: Number(match[1]), gid: Number(match[2]) };
}

/** Runs a server binary, as the `postgres` user when we are root. */
function runAs(asPostgres: boolean, cwd: string, command: string, args: readonly string[]): Promise<RunResult> {
  const [file, fileArgs] = asPostgres ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, [...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(file, fileArgs, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}

async function waitUntilAccepting(url: string, timeoutMs: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      await withClient(url, async () => undefined);
      return;
    } catch (error) {
      if (Date.now() - started > timeoutMs)
        throw new Error(`PostgreSQL at ${url} did not accept connections within ${timeoutMs} ms`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

function logTail(folder: string): string {
  try {
    return readFileSync(join(folder, "server.log"), "utf8").trim().split("\n").slice(-10).join("\n");
  } catch {
    return "";
  }
}

const SETTINGS = ["fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=200"];

/**
 * Starts a private cluster: `initdb` (trust authentication, superuser `postgres`, UTF8, locale C so text sorts by
 * code point as SQLite's does) into a fresh `medsafety-pg-*` folder, then the server on 127.0.0.1 and a free port with
 * fsync, synchronous commit and full-page writes off. About 1.3 s on this machine (initdb 1.0 s, start 0.25 s).
 */
export async function startPostgresCluster(options: StartClusterOptions = {}): Promise<PostgresCluster> {
  const binaries = options.binaries ?? findPostgresBinaries();
  const parent = options.parent ?? tmpdir();
  const timeoutMs = options.timeoutMs ?? 60_000;
  await removeStaleClusters(parent);
  const folder = mkdtempSync(join(parent, FOLDER_PREFIX));
  writeFileSync(join(folder, OWNER_FILE), `${process.pid}\n`);
  const asPostgres = userInfo().uid === 0;
  const dataDir = join(folder, "data");
  const bin = (name: string) => join(binaries.bindir, name);
  try {
    if (asPostgres) {
      const user = postgresUser();
      chownSync(folder, user.uid, user.gid);
    }
    const initdb = await runAs(asPostgres, folder, bin("initdb"), [
      ...["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
    ]);
    if (initdb.code !== 0) throw new Error(`initdb failed (exit ${initdb.code}):\n${initdb.output.trim()}`);
    // A port free a moment ago can be taken before the server binds it: try another.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const serverOptions = [
        ...["-c listen_addresses=127.0.0.1", `-c port=${port}`, `-c unix_socket_directories=${folder}`],
        ...SETTINGS.map((setting) => `-c ${setting}`),
      ].join(" ");
      const start = await runAs(asPostgres, folder, bin("pg_ctl"), [
        ...["start", "-D", dataDir, "-l", join(folder, "server.log"), "-w", "-t", String(Math.ceil(timeoutMs / 1000))],
        ...["-o", serverOptions],
      ]);
      if (start.code !== 0) {
        const log = logTail(folder);
        if (attempt < 3 && /could not bind|address already in use/i.test(log)) continue;
        throw new Error(`pg_ctl start failed (exit ${start.code}):\n${start.output.trim()}\n${log}`);
      }
      const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
      await waitUntilAccepting(adminUrl, timeoutMs);
      return clusterAt(folder, port, adminUrl, () => stopServer(asPostgres, folder, bin("pg_ctl"), dataDir));
    }
  } catch (error) {
    await stopServer(asPostgres, folder, bin("pg_ctl"), dataDir).catch(() => undefined);
    throw error;
  }
}

/** Stops the server of `dataDir` if one runs (immediate shutdown; SIGKILL if pg_ctl fails), then removes `folder`. */
async function stopServer(asPostgres: boolean, folder: string, pgCtl: string, dataDir: string): Promise<void> {
  const postmaster = readPid(join(dataDir, "postmaster.pid"));
  if (postmaster !== undefined && processAlive(postmaster)) {
    const stop = await runAs(asPostgres, folder, pgCtl, ["stop", "-D", dataDir, "-m", "immediate", "-w"]);
    if (stop.code !== 0) await endServer(postmaster);
  }
  rmSync(folder, { recursive: true, force: true });
}

function clusterAt(folder: string, port: number, adminUrl: string, stop: () => Promise<void>): PostgresCluster {
  let stopping: Promise<void> | undefined;
  return {
    port,
    folder,
    adminUrl,
    url: (name) => databaseUrl(adminUrl, name),
    createDatabase: (name, options) => createDatabase(adminUrl, name, options),
    dropDatabase: (name) => dropDatabase(adminUrl, name),
    stop: () => {
      stopping ??= stop();
      return stopping;
    },
  };
}
