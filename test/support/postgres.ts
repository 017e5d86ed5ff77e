/**
 * PostgreSQL for test files. The test run's global setup (test/support/postgres-setup.ts) starts one private cluster
 * when the first file asks for a database; each file gets databases of its own:
 *
 * ```ts
 * const postgres = postgresForTests(); // at the top of the file: prints the skip reason, or fails in CI
 * describe.skipIf(postgres.skipReason !== undefined)("on PostgreSQL", () => {
 *   let url: string;
 *   beforeAll(async () => {
 *     const template = await postgres.template("migrated_v12", async (templateUrl) => { ... close every connection });
 *     url = await postgres.newDatabase({ template }); // a fresh clone for this file, dropped after it
 *   });
 * });
 * ```
 *
 * Without PostgreSQL's server binaries the tests skip outside CI, printing why, and fail in CI (`requirements.ts`).
 */
import { get as httpGet } from "node:http";
import pg from "pg";
import { afterAll, inject } from "vitest";
import { createDatabase, databaseUrl, dropDatabase } from "../../src/testing/index.js";
import { type Requirement, skipWithout } from "./requirements.js";

/** What the global setup hands the test files: where to ask for the cluster, or why there is none. */
export type PostgresForRun =
  /** An HTTP endpoint that starts the run's cluster on the first request and answers its superuser URL. */
  | { readonly endpoint: string }
  /** No server binaries; the places looked at. */
  | { readonly missing: string };

declare module "vitest" {
  export interface ProvidedContext {
    /** This test run's PostgreSQL cluster (test/support/postgres-setup.ts). */
    postgres: PostgresForRun;
  }
}

/** The PostgreSQL server binaries, looked for in `where`. */
function postgresServer(where: string): Requirement {
  return {
    what: "PostgreSQL server binaries (initdb, pg_ctl, postgres)",
    path: where,
    fix: "install Debian's postgresql package (`sudo apt-get install postgresql`, as .ci/run does)",
  };
}

export interface NewDatabaseOptions {
  /** Clone this database (from `template()`); default an empty database. */
  readonly template?: string;
}

export interface PostgresForTests {
  /** Why this file's PostgreSQL tests are skipped (already printed); undefined when they run. */
  readonly skipReason: string | undefined;
  /** Creates a database for this file (empty, or a clone of `template`) and returns its URL; dropped after the file. */
  newDatabase(options?: NewDatabaseOptions): Promise<string>;
  /**
   * The name of database `name` after `prepare(url)` has filled it, once per test run: the first file to ask builds
   * it while files in other processes wait, then every file clones it with `newDatabase({ template })`. `prepare`
   * must close its connections before it resolves (a database with open connections cannot be cloned).
   */
  template(name: string, prepare: (url: string) => Promise<void>): Promise<string>;
}

let created = 0;
/** Templates this process has built or found, by name. */
const templates = new Map<string, Promise<string>>();
/** The cluster's superuser URL, by endpoint (asked once per process). */
const adminUrls = new Map<string, Promise<string>>();

/** A GET of `url`: the status and the body. */
function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpGet(url, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      response.on("error", reject);
    }).on("error", reject);
  });
}

/** Asks the global setup's endpoint for the cluster (which starts it if no file has yet). */
function clusterAdminUrl(endpoint: string): Promise<string> {
  let url = adminUrls.get(endpoint);
  if (url === undefined) {
    url = get(endpoint).then(({ status, body }) => {
      if (status !== 200) throw new Error(`the test run's PostgreSQL cluster did not start: ${body}`);
      return body;
    });
    adminUrls.set(endpoint, url);
  }
  return url;
}

async function buildTemplateOnce(adminUrl: string, name: string, prepare: (url: string) => Promise<void>) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // One builder per test run: the lock is the session's, so a builder that dies releases it.
    await admin.query("SELECT pg_advisory_lock(hashtext($1))", [`medsafety template ${name}`]);
    const found = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount === 0) {
      // Built under another name and renamed when done, so a half-built template is never cloned.
      const building = `${name}__building`;
      await dropDatabase(adminUrl, building);
      await createDatabase(adminUrl, building);
      await prepare(databaseUrl(adminUrl, building));
      await admin.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
      // No test connects to a template by mistake (a connection would block every clone).
      await admin.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS false`);
    }
  } finally {
    await admin.end();
  }
  return name;
}

/**
 * PostgreSQL for the calling test file: call it at the top of the file (it registers the `afterAll` that drops the
 * file's databases). Outside CI, without PostgreSQL, `skipReason` says why (and it is printed); in CI it throws.
 */
export function postgresForTests(): PostgresForTests {
  const provided = inject("postgres") as PostgresForRun | undefined;
  if (provided === undefined)
    throw new Error(
      "no PostgreSQL in this test project: add test/support/postgres-setup.ts to its globalSetup (vitest.config.ts)",
    );
  if ("missing" in provided) {
    const requirement = postgresServer(provided.missing);
    if (skipWithout(requirement, false)) {
      const unavailable = () => Promise.reject(new Error("PostgreSQL is not available (see skipReason)"));
      return {
        skipReason: `${requirement.what} not found at ${requirement.path}: ${requirement.fix}`,
        newDatabase: unavailable,
        template: unavailable,
      };
    }
  }
  const endpoint = "endpoint" in provided ? provided.endpoint : "";
  const adminUrl = () => clusterAdminUrl(endpoint);
  const mine: string[] = [];
  afterAll(async () => {
    for (const name of mine.splice(0)) await dropDatabase(await adminUrl(), name);
  });
  return {
    skipReason: undefined,
    newDatabase: async (options = {}) => {
      const name = `test_${process.pid}_${++created}`;
      const url = await createDatabase(await adminUrl(), name, options);
      mine.push(name);
      return url;
    },
    template: async (name, prepare) => {
      if (!/^[a-z][a-z0-9_]{0,49}$/.test(name))
        throw new Error(`template name "${name}": use 1-50 of a-z, 0-9 and _, starting with a letter`);
      let built = templates.get(name);
      if (built === undefined) {
        built = adminUrl().then((url) => buildTemplateOnce(url, name, prepare));
        templates.set(name, built);
        built.catch(() => templates.delete(name));
      }
      return built;
    },
  };
}
