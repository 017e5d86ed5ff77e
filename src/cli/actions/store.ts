import { statSync } from "node:fs";
import { loadConfig } from "../../config/index.js";
import { isPostgresUrl, MedsafetyError, redactUrl } from "../../core/index.js";
import { checkStoreIntegrity, openStoreReadOnly } from "../../store/index.js";
import { storePath } from "../open-store.js";
import type { Output } from "../output.js";

/** The options of `store check` (its action: actions/store.ts). */
export interface StoreCheckOptions {
  store?: string;
  config?: string;
  json?: boolean;
}

/** `medsafety store check`: SQLite's full integrity check of a store, read-only. */
export function storeCheckCommand(options: StoreCheckOptions, output: Output): void {
  const configStore = options.config === undefined ? undefined : loadConfig(options.config).config.store;
  const location = storePath(options.store, configStore);
  const path = redactUrl(location);
  // Read-only and without migrations: checking a store must never write to it (a damaged one least of all).
  const db = openStoreReadOnly(location);
  let result: ReturnType<typeof checkStoreIntegrity>;
  try {
    result = checkStoreIntegrity(db);
  } finally {
    db.close();
  }
  if (options.json === true)
    output.out(JSON.stringify({ store: path, ok: result.ok, problems: result.problems }, null, 2));
  else if (result.ok)
    output.out(
      isPostgresUrl(location)
        ? `store ${path}: ok (PostgreSQL: every table readable; the server enforces keys and constraints)`
        : `store ${path}: ok (${megabytes(path)}; integrity_check and foreign_key_check found no problems)`,
    );
  else for (const problem of result.problems) output.out(`${path}: ${problem}`);
  if (!result.ok) {
    throw new MedsafetyError(
      "store_error",
      `The store ${path} is damaged: ${result.problems.length} problem(s) found${options.json === true ? "" : " (listed above)"}. Results read from it can be wrong. ` +
        "Restore the file from a backup, or start a new store (another --store path) and run the benchmark again; do not use reports made from this store.",
    );
  }
}

function megabytes(path: string): string {
  return `${(statSync(path).size / 1_000_000).toFixed(1)} MB`;
}
