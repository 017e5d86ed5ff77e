import { errorMessage, isPostgresUrl, MedsafetyError } from "../core/index.js";
import { postgresStoreError } from "./postgres/open-postgres-store.js";
import { PostgresError } from "./postgres/postgres-database.js";

/** How to point medsafety at another store: said by every error about a store's place. */
const CHOOSE_ANOTHER = 'choose another path with --store, the config key "store" or MEDSAFETY_STORE';

type StoreFailure = "notadb" | "corrupt" | "full" | "readonly" | "cantopen" | "ioerr" | "busy";

/** better-sqlite3 error codes (`error.code`, extended codes included) → what went wrong. */
const BY_CODE: ReadonlyArray<readonly [RegExp, StoreFailure]> = [
  [/^SQLITE_NOTADB$/, "notadb"],
  [/^SQLITE_CORRUPT/, "corrupt"],
  [/^SQLITE_FULL$/, "full"],
  [/^SQLITE_READONLY/, "readonly"],
  [/^SQLITE_CANTOPEN/, "cantopen"],
  [/^SQLITE_IOERR/, "ioerr"],
  [/^SQLITE_(BUSY|LOCKED)/, "busy"],
];

/**
 * SQLite's messages for the same failures: errors from report threads reach the main thread as plain `Error`s that
 * keep only the message ("a report thread failed: database disk image is malformed").
 */
const BY_MESSAGE: ReadonlyArray<readonly [RegExp, StoreFailure]> = [
  [/file is not a database/, "notadb"],
  [/database disk image is malformed/, "corrupt"],
  [/database or disk is full/, "full"],
  [/attempt to write a readonly database/, "readonly"],
  [/unable to open database file/, "cantopen"],
  [/disk I\/O error/, "ioerr"],
  [/database is locked|database table is locked/, "busy"],
];

/** What kind of SQLite failure an error is, or undefined when it is none (so it is not a store problem). */
export function sqliteFailureOf(error: unknown): StoreFailure | undefined {
  const code =
    typeof error === "object" && error !== null && "code" in error && typeof error.code === "string" ? error.code : "";
  const byCode = BY_CODE.find(([pattern]) => pattern.test(code));
  if (byCode !== undefined) return byCode[1];
  if (error instanceof MedsafetyError) return undefined;
  const message = errorMessage(error);
  return BY_MESSAGE.find(([pattern]) => pattern.test(message))?.[1];
}

/** True when `error` is a SQLite or PostgreSQL failure that `storeErrorOf` can explain. */
export function isSqliteFailure(error: unknown): boolean {
  return error instanceof PostgresError || sqliteFailureOf(error) !== undefined;
}

/**
 * One paragraph for a SQLite failure on the store at `path`: which file, what happened and what to do. A file that
 * is no SQLite database is the wrong path (`store_unusable`, exit 2); a damaged, full, read-only or failing store is
 * `store_error`. Anything else becomes a generic `store_error` naming the file. The original error is the cause.
 */
export function storeErrorOf(error: unknown, path: string): MedsafetyError {
  if (error instanceof MedsafetyError && (error.code === "store_error" || error.code === "store_unusable"))
    return error;
  if (error instanceof PostgresError || isPostgresUrl(path)) return postgresStoreError(error, path);
  const detail = errorMessage(error).replace(/^a report thread failed: /, "");
  const check = `\`medsafety store check --store ${path}\``;
  switch (sqliteFailureOf(error)) {
    case "notadb":
      return new MedsafetyError(
        "store_unusable",
        `${path} is not a SQLite database (or its first page is damaged), so it is not a medsafety store. ` +
          `If the path is wrong, ${CHOOSE_ANOTHER}; if it was your store, restore it from a backup.`,
        { cause: error },
      );
    case "corrupt":
      return new MedsafetyError(
        "store_error",
        `The store ${path} is damaged (SQLite: ${detail}); results read from it could be wrong, so medsafety stopped. ` +
          `Run ${check} to see the damage, then restore the store from a backup, or start a new store (another --store path) and run again.`,
        { cause: error },
      );
    case "full":
      return new MedsafetyError(
        "store_error",
        `The disk holding the store ${path} is full (SQLite: ${detail}). Free space on that disk (or ${CHOOSE_ANOTHER}) and run the command again; ` +
          "a run that stopped continues with `medsafety run --resume`.",
        { cause: error },
      );
    case "readonly":
      return new MedsafetyError(
        "store_error",
        `The store ${path} cannot be written (a read-only file, folder or filesystem; SQLite: ${detail}). Make it writable, or ${CHOOSE_ANOTHER}.`,
        { cause: error },
      );
    case "cantopen":
      return new MedsafetyError(
        "store_unusable",
        `Cannot open the store ${path} (SQLite: ${detail}): the path must name a file in a folder you can write. Check the path, or ${CHOOSE_ANOTHER}.`,
        { cause: error },
      );
    case "ioerr":
      return new MedsafetyError(
        "store_error",
        `Reading or writing the store ${path} failed (SQLite: ${detail}): the disk or filesystem reported an error. ` +
          `Check the disk and free space, then run again; if it keeps failing, run ${check}.`,
        { cause: error },
      );
    case "busy":
      return new MedsafetyError(
        "store_error",
        `The store ${path} is locked by another process (SQLite: ${detail}). Wait for the other medsafety command to finish, or ${CHOOSE_ANOTHER}.`,
        { cause: error },
      );
    case undefined:
      return new MedsafetyError("store_error", `A store operation on ${path} failed: ${detail}.`, { cause: error });
  }
}
