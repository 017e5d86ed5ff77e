import { resolve } from "node:path";
import { openStore } from "../store/index.js";
import { ItemRepository, ResponseCacheRepository, ResultRepository, RunRepository, type OpenedStore } from "../store/index.js";

export const DEFAULT_STORE = ".medsafety/medsafety.db";

export interface Stores extends OpenedStore {
  readonly runs: RunRepository;
  readonly items: ItemRepository;
  readonly results: ResultRepository;
  readonly cache: ResponseCacheRepository;
  close(): void;
}

/** The store path: --store, else MEDSAFETY_STORE, else the config's, else ./.medsafety/medsafety.db. */
export function storePath(flag: string | undefined, configStore?: string): string {
  return resolve(flag ?? process.env["MEDSAFETY_STORE"] ?? configStore ?? DEFAULT_STORE);
}

export function openStores(path: string): Stores {
  // Some migrations build indexes over every turn and judgment: minutes on a store of millions of rows, so say so.
  const opened = openStore(path, undefined, (migration) => {
    process.stderr.write(`medsafety: updating the store ${path} to schema ${migration.version} (${migration.name}); on a large store this can take minutes...\n`);
  });
  const results = new ResultRepository(opened.db);
  return {
    ...opened,
    runs: new RunRepository(opened.db),
    items: new ItemRepository(opened.db),
    results,
    cache: new ResponseCacheRepository(opened.db),
    close: () => {
      results.flush();
      opened.db.close();
    },
  };
}
