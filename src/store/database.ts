import { accessSync, constants, existsSync, mkdirSync, realpathSync, statfsSync, statSync } from "node:fs";
import { platform } from "node:os";
import { dirname, join, resolve, sep } from "node:path";
import Database from "better-sqlite3";
import { errorMessage, isPostgresUrl, MedsafetyError, redactUrl } from "../core/index.js";
import { MIGRATIONS, type Migration } from "./migrations.js";
import { openPostgresStore } from "./postgres/open-postgres-store.js";
import { PostgresDatabase } from "./postgres/postgres-database.js";
import type { Db } from "./sql-database.js";
import { storeErrorOf } from "./store-errors.js";

export type { Db };
/** A SQLite store's connection: better-sqlite3 itself (pragmas, backups). */
export type SqliteDb = Database.Database;

export interface OpenedStore {
  readonly db: Db;
  /** Where the store is, for messages and hints: a SQLite file path, or the PostgreSQL URL without its password. */
  readonly path: string;
  readonly backend: "sqlite" | "postgres";
  /** Migrations applied by this open (empty when the store was up to date). */
  readonly applied: readonly Migration[];
}

export interface OpenedSqliteStore extends OpenedStore {
  readonly db: SqliteDb;
  readonly backend: "sqlite";
}

/** Called before each pending migration of a store that already had a schema (a new store is not announced). */
export type MigrationListener = (migration: Migration) => void;

export interface OpenStoreOptions {
  /**
   * Refuse to create the store: commands that only read (report, runs, view, export...) must say the store does not
   * exist instead of quietly creating an empty one (and its folder) and reporting "no runs".
   */
  readonly mustExist?: boolean;
}

const CHOOSE_ANOTHER = 'Choose another path with --store, the config key "store" or MEDSAFETY_STORE';
const OR_CHOOSE_ANOTHER = 'or choose another path with --store, the config key "store" or MEDSAFETY_STORE';

/**
 * Opens the store at `location`: a `postgres://` URL is the shared PostgreSQL store (postgres/), anything else a
 * SQLite file (`openSqliteStore`). Both apply their pending migrations and give the same `Db` API.
 */
export function openStore(
  location: string,
  onMigration?: MigrationListener,
  options: OpenStoreOptions = {},
): OpenedStore {
  if (!isPostgresUrl(location)) return openSqliteStore(location, MIGRATIONS, onMigration, options);
  const opened = openPostgresStore(location, {
    ...(options.mustExist === undefined ? {} : { mustExist: options.mustExist }),
    ...(onMigration === undefined ? {} : { onMigration }),
  });
  return { db: opened.db, path: redactUrl(location), backend: "postgres", applied: opened.applied };
}

/**
 * Opens (creating if needed, unless `mustExist`) a SQLite store in WAL mode and applies pending numbered migrations.
 * `:memory:` is accepted for tests. The path is checked first, so a place that cannot hold a store fails at once with
 * a `store_unusable` error naming it (a folder, a file where a folder should be, /proc or /sys, an unwritable
 * folder); SQLite failures while opening become `storeErrorOf` errors naming the file and the fix.
 */
export function openSqliteStore(
  path: string,
  migrations: readonly Migration[] = MIGRATIONS,
  onMigration?: MigrationListener,
  options: OpenStoreOptions = {},
): OpenedSqliteStore {
  if (path !== ":memory:") prepareLocation(path, options.mustExist === true);
  let db: SqliteDb;
  try {
    db = new Database(path, { fileMustExist: options.mustExist === true });
  } catch (error) {
    throw storeErrorOf(error, path);
  }
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
    return { db, path, backend: "sqlite", applied: applyMigrations(db, migrations, onMigration) };
  } catch (error) {
    db.close();
    throw storeErrorOf(error, path);
  }
}

/**
 * A second, read-only connection to a store another connection has opened (and migrated): for report threads
 * that read in parallel and for `store check`. WAL mode lets SQLite readers work beside the main connection. On
 * PostgreSQL the connection reads in one read-only REPEATABLE READ transaction, in the exported `snapshot` when given
 * (`beginReadSnapshot`), so every report thread sees the same data as the main one while workers write.
 */
export function openStoreReadOnly(location: string, options: { readonly snapshot?: string } = {}): Db {
  if (!isPostgresUrl(location)) return openSqliteReadOnly(location);
  const { db } = openPostgresStore(location, { mustExist: true, readOnly: true });
  db.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  // A snapshot id is hex digits and dashes; anything else is dropped before it reaches the SQL.
  if (options.snapshot !== undefined)
    db.exec(`SET TRANSACTION SNAPSHOT '${options.snapshot.replace(/[^0-9A-F-]/gi, "")}'`);
  return db;
}

/** The location another connection to the same store opens (a PostgreSQL URL with its password). */
export function connectionLocation(db: Db): string {
  return db instanceof PostgresDatabase ? db.url : db.name;
}

function openSqliteReadOnly(path: string): SqliteDb {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw unusable(noStore(absolute));
  if (statSync(absolute).isDirectory()) throw unusable(isFolder(absolute));
  try {
    const db = new Database(absolute, { readonly: true, fileMustExist: true });
    db.pragma("busy_timeout = 5000");
    return db;
  } catch (error) {
    throw storeErrorOf(error, absolute);
  }
}

function noStore(absolute: string): string {
  return `No store at ${absolute}. Run \`medsafety run\` first (it creates the store), or give the path of an existing store with --store or -c <config>.`;
}

function isFolder(absolute: string): string {
  return `${absolute} is a folder, not a store file. Give the path of the store file inside it (e.g. ${join(absolute, "medsafety.db")}), ${OR_CHOOSE_ANOTHER}.`;
}

/**
 * Linux filesystems that only look like folders (statfs magic numbers): proc, sysfs, cgroup, cgroup2, debugfs,
 * tracefs, securityfs, pstore, bpf, configfs, devpts. SQLite cannot keep a file there, and Node's recursive mkdir
 * spins forever under /proc (mkdir answers ENOENT for ever), which is why the path is checked before anything is made.
 */
const VIRTUAL_FILESYSTEMS = new Set([
  0x9fa0, 0x62656572, 0x27e0eb, 0x63677270, 0x64626720, 0x74726163, 0x73636673, 0x6165676c, 0xcafe4a11, 0x62656570,
  0x1cd1,
]);
const VIRTUAL_ROOTS = ["/proc", "/sys", "/dev"];

function unusable(message: string): MedsafetyError {
  return new MedsafetyError("store_unusable", message);
}

/**
 * Checks that `path` can hold a store and creates its missing folders one level at a time (never a recursive mkdir,
 * which cannot fail on a virtual filesystem). Throws `store_unusable` naming the path and the fix.
 */
function prepareLocation(path: string, mustExist: boolean): void {
  const absolute = resolve(path);
  let missing: string[] = [];
  let existing = absolute;
  while (!existsSync(existing)) {
    missing = [existing, ...missing];
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  if (mustExist && missing.length > 0) {
    throw unusable(noStore(absolute));
  }
  refuseVirtualFilesystem(absolute, existing);
  const stats = statSync(existing);
  if (missing.length === 0) {
    if (stats.isDirectory()) throw unusable(isFolder(absolute));
    if (!stats.isFile())
      throw unusable(`${absolute} is not a regular file, so it cannot hold a store. ${CHOOSE_ANOTHER}.`);
    requireWritable(dirname(absolute), absolute);
    return;
  }
  if (!stats.isDirectory())
    throw unusable(
      `The store path ${absolute} goes through ${existing}, which is a file, not a folder. ${CHOOSE_ANOTHER}.`,
    );
  requireWritable(existing, absolute);
  for (const folder of missing.slice(0, -1)) {
    try {
      mkdirSync(folder);
    } catch (error) {
      throw unusable(
        `Cannot create the folder ${folder} for the store ${absolute} (${errorMessage(error)}). ${CHOOSE_ANOTHER}.`,
      );
    }
  }
}

function refuseVirtualFilesystem(absolute: string, existing: string): void {
  let real = existing;
  try {
    real = realpathSync(existing);
  } catch {
    // An unreadable link: the checks below name the path as given.
  }
  const underRoot =
    VIRTUAL_ROOTS.some((root) => real === root || real.startsWith(`${root}${sep}`)) &&
    !real.startsWith(`/dev${sep}shm`);
  let virtual = underRoot;
  if (!virtual && platform() === "linux") {
    try {
      virtual = VIRTUAL_FILESYSTEMS.has(statfsSync(real).type);
    } catch {
      // statfs unavailable: the folder checks below still apply.
    }
  }
  if (virtual) {
    throw unusable(
      `The store path ${absolute} is on a virtual filesystem (${real}: /proc, /sys or /dev hold no real files), so no store can be kept there. ${CHOOSE_ANOTHER}, e.g. ./.medsafety/medsafety.db.`,
    );
  }
}

/** The folder (and the store file, when it exists) must be writable: SQLite writes the -wal and -shm files beside it. */
function requireWritable(folder: string, absolute: string): void {
  for (const target of existsSync(absolute) ? [folder, absolute] : [folder]) {
    try {
      accessSync(target, constants.W_OK);
    } catch (error) {
      const reason =
        (error as { code?: string }).code === "EROFS"
          ? "it is on a read-only filesystem"
          : "you have no permission to write it";
      throw unusable(
        `The store ${absolute} cannot be written: ${target === absolute ? "the file" : `the folder ${target}`} is not writable (${reason}). Make it writable, ${OR_CHOOSE_ANOTHER}.`,
      );
    }
  }
}

function applyMigrations(
  db: SqliteDb,
  migrations: readonly Migration[],
  onMigration: MigrationListener | undefined,
): Migration[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const done = new Set(db.prepare("SELECT version FROM schema_migrations").pluck().all() as number[]);
  const newest = Math.max(0, ...done);
  const known = Math.max(0, ...migrations.map((migration) => migration.version));
  if (newest > known) {
    throw new MedsafetyError(
      "store_error",
      `The store was written by a newer medsafety (schema version ${newest}, this version knows ${known}). Upgrade medsafety or use another store path.`,
    );
  }
  const pending = migrations.filter((migration) => !done.has(migration.version));
  for (const migration of pending) {
    if (done.size > 0) onMigration?.(migration);
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
    })();
  }
  return pending;
}
