/**
 * The store contract (store.contract.ts) against the PostgreSQL store: a new, empty database per case on this test
 * run's private cluster (test/support/postgres.ts), created and dropped through the store's own synchronous
 * connection, as the suite's `create()` is synchronous.
 */
import { beforeAll, describe } from "vitest";
import { postgresForTests } from "../../test/support/postgres.js";
import { databaseUrl } from "../testing/index.js";
import { type OpenedStore, openStore, PostgresDatabase } from "./index.js";
import { type StoreContractBackend, storeContract } from "./store.contract.js";

const postgres = postgresForTests();
let serverUrl = "";
let cases = 0;

function postgresBackend(): StoreContractBackend {
  const admin = new PostgresDatabase(databaseUrl(serverUrl, "postgres"));
  const databases: string[] = [];
  const opened: OpenedStore[] = [];
  const urls = new Map<OpenedStore, string>();
  const open = (url: string): OpenedStore => {
    const store = openStore(url);
    opened.push(store);
    urls.set(store, url);
    return store;
  };
  return {
    create: () => {
      const name = `contract_${process.pid}_${++cases}`;
      admin.exec(`CREATE DATABASE ${name}`);
      databases.push(name);
      return open(databaseUrl(serverUrl, name));
    },
    // A second connection to the same database, as a second process (or a restart) would open it.
    reopen: (store) => open(urls.get(store) ?? ""),
    dispose: () => {
      for (const store of opened.splice(0)) if (store.db.open) store.db.close();
      for (const name of databases.splice(0)) admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      admin.close();
    },
  };
}

describe.skipIf(postgres.skipReason !== undefined)("PostgreSQL store", () => {
  beforeAll(async () => {
    serverUrl = await postgres.newDatabase();
  });
  storeContract("PostgreSQL (pg on a connection thread)", postgresBackend);
});
