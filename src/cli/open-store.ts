import { resolve } from "node:path";
import { isPostgresUrl, MedsafetyError, redactUrl } from "../core/index.js";
import {
  checkRunIndexes,
  ItemRepository,
  isSqliteFailure,
  type OpenedStore,
  openStore,
  ResponseCacheRepository,
  ResultRepository,
  RunRepository,
  storeErrorOf,
} from "../store/index.js";
import { processOutput } from "./output.js";

export const DEFAULT_STORE = ".medsafety/medsafety.db";

export interface Stores extends OpenedStore {
  readonly runs: RunRepository;
  readonly items: ItemRepository;
  readonly results: ResultRepository;
  readonly cache: ResponseCacheRepository;
  close(): void;
}

export interface OpenStoresOptions {
  /** Commands that only read: fail with "No store at <path>" instead of creating an empty store. */
  readonly mustExist?: boolean;
}

/** The store path: --store, else MEDSAFETY_STORE, else the config's, else ./.medsafety/medsafety.db. */
export function storePath(flag: string | undefined, configStore?: string): string {
  const location = flag ?? process.env["MEDSAFETY_STORE"] ?? configStore ?? DEFAULT_STORE;
  return isPostgresUrl(location) ? location : resolve(location);
}

/** The store this process opened last: a SQLite failure that escapes a command is explained with its path. */
let lastOpenedPath: string | undefined;

/**
 * Opens the store and its repositories (creating it unless `mustExist`). Failures name the store path and the fix
 * (see `storeErrorOf`).
 */
export function openStores(path: string, options: OpenStoresOptions = {}): Stores {
  // Some migrations build indexes over every turn and judgment: minutes on a store of millions of rows, so say so.
  const opened = openStore(
    path,
    (migration) => {
      processOutput.err(
        `medsafety: updating the store ${redactUrl(path)} to schema ${migration.version} (${migration.name}); on a large store this can take minutes...`,
      );
    },
    { mustExist: options.mustExist === true },
  );
  lastOpenedPath = opened.path;
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

/**
 * The cheap check before a report (`checkRunIndexes`): damage to the index pages a report reads would otherwise give
 * changed statistics and exit 0. Throws `store_error` naming the store and `medsafety store check`.
 */
export function requireIntactRun(stores: Pick<Stores, "db" | "path">, runId: string): void {
  let problems: string[];
  try {
    problems = checkRunIndexes(stores.db, runId);
  } catch (error) {
    throw storeErrorOf(error, stores.path);
  }
  if (problems.length === 0) return;
  throw new MedsafetyError(
    "store_error",
    `The store ${stores.path} is damaged: ${problems.join("; ")}. A report from it would show wrong numbers, so none was made. ` +
      `Run \`medsafety store check --store ${stores.path}\` for the full check, then restore the store from a backup, or start a new store (another --store path) and run again.`,
  );
}

/**
 * A raw SQLite failure (SqliteError, or a report thread's message about one) that reached the top of a command, as a
 * store error naming the store the command opened and what to do; anything else unchanged. Commands need not wrap
 * each query: a disk that fills during `run`, a page found damaged during `report`, end up here.
 */
export function explainStoreFailure(error: unknown): unknown {
  if (error instanceof MedsafetyError || lastOpenedPath === undefined || !isSqliteFailure(error)) return error;
  return storeErrorOf(error, lastOpenedPath);
}
