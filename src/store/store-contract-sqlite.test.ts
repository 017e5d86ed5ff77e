/** The store contract (store.contract.ts) against the SQLite store: a file in a fresh temporary folder per case. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type OpenedStore, openStore } from "./index.js";
import { type StoreContractBackend, storeContract } from "./store.contract.js";

function sqliteBackend(): StoreContractBackend {
  const folder = mkdtempSync(join(tmpdir(), "medsafety-store-contract-"));
  const opened: OpenedStore[] = [];
  const open = (path: string): OpenedStore => {
    const store = openStore(path);
    opened.push(store);
    return store;
  };
  let count = 0;
  return {
    create: () => {
      count += 1;
      return open(join(folder, `store-${count}.db`));
    },
    // A second connection to the same file, as a second process (or a restart) would open it.
    reopen: (store) => open(store.path),
    dispose: () => {
      for (const store of opened.splice(0)) if (store.db.open) store.db.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

storeContract("SQLite (better-sqlite3, WAL)", sqliteBackend);
