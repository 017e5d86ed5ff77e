/**
 * Vitest global setup of the unit and e2e tiers: at most one private PostgreSQL cluster per test run
 * (src/testing/postgres-cluster.ts), started when the first test file asks for a database and stopped and removed at
 * the end. A run without PostgreSQL tests starts none: starting costs 1.3 s on an idle 2-core machine (about 3 s
 * when busy), which every targeted `vitest run` would otherwise pay.
 *
 * Test files get, through `inject("postgres")` (test/support/postgres.ts), either why there is no PostgreSQL (no
 * server binaries) or the URL of a small HTTP endpoint in Vitest's main process that starts the cluster on the first
 * request and answers its superuser URL. Both projects' setups run in that process and share the one endpoint and
 * cluster: the first opens it, the last to finish stops it.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";
import {
  findPostgresBinaries,
  type PostgresBinaries,
  type PostgresCluster,
  PostgresUnavailable,
  startPostgresCluster,
} from "../../src/testing/index.js";
import type { PostgresForRun } from "./postgres.js";

interface SharedCluster {
  users: number;
  readonly server: Server;
  readonly url: string;
  /** Set by the first request. */
  cluster?: Promise<PostgresCluster>;
}

/** Shared by the projects' copies of this module (each project loads its global setup files itself). */
const SHARED = Symbol.for("medsafety.test.postgresCluster");
const holder = globalThis as { [SHARED]?: Promise<SharedCluster> };

async function openEndpoint(binaries: PostgresBinaries): Promise<SharedCluster> {
  const server = createServer((_request, response) => {
    shared.cluster ??= startPostgresCluster({ binaries });
    shared.cluster.then(
      (cluster) => response.writeHead(200, { "content-type": "text/plain" }).end(cluster.adminUrl),
      (error: unknown) =>
        response
          .writeHead(500, { "content-type": "text/plain" })
          .end(error instanceof Error ? error.message : `${error}`),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const shared: SharedCluster = {
    users: 0,
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
  };
  return shared;
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  let binaries: PostgresBinaries;
  try {
    binaries = findPostgresBinaries();
  } catch (error) {
    if (!(error instanceof PostgresUnavailable)) throw error;
    project.provide("postgres", { missing: error.where } satisfies PostgresForRun);
    return undefined;
  }
  holder[SHARED] ??= openEndpoint(binaries);
  const shared = await holder[SHARED];
  shared.users++;
  project.provide("postgres", { endpoint: shared.url } satisfies PostgresForRun);
  return async () => {
    if (--shared.users > 0) return;
    delete holder[SHARED];
    shared.server.closeAllConnections();
    await new Promise((resolve) => shared.server.close(resolve));
    const cluster = await shared.cluster?.catch(() => undefined);
    await cluster?.stop();
  };
}
