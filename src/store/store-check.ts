import { errorMessage } from "../core/index.js";
import type { Db, SqliteDb } from "./database.js";
import { dialectOf } from "./sql-dialect.js";

/** The outcome of a full store check. */
export interface StoreCheckResult {
  readonly ok: boolean;
  /** SQLite's own descriptions of each problem found (at most `maxProblems` from the integrity check). */
  readonly problems: readonly string[];
}

/**
 * The full check of `medsafety store check`: `PRAGMA integrity_check` (every page, every record, every index
 * entry against its table row) and `PRAGMA foreign_key_check`. It reads the whole file: 16–25 s for a 0.5 GB store
 * on the 2-core VM (decision 0012), so reports run only `checkRunIndexes`. A store too damaged to read its schema is a
 * problem reported here, never an exception.
 */
export function checkStoreIntegrity(store: Db, maxProblems = 100): StoreCheckResult {
  if (dialectOf(store) === "postgres") return checkPostgres(store);
  const db = store as SqliteDb;
  const problems: string[] = [];
  try {
    const rows = db.pragma(`integrity_check(${Math.max(1, Math.floor(maxProblems))})`) as Array<{
      integrity_check: string;
    }>;
    for (const row of rows)
      if (row.integrity_check !== "ok")
        problems.push(
          ...row.integrity_check.split("\n").filter((line) => line !== "" && !line.startsWith("*** in database")),
        );
  } catch (error) {
    problems.push(`the store cannot be read: ${errorMessage(error)}`);
    return { ok: false, problems };
  }
  try {
    const orphans = db.pragma("foreign_key_check") as Array<{ table: string; parent: string }>;
    const counted = new Map<string, number>();
    for (const orphan of orphans)
      counted.set(`${orphan.table} → ${orphan.parent}`, (counted.get(`${orphan.table} → ${orphan.parent}`) ?? 0) + 1);
    for (const [pair, count] of counted) {
      const [table, parent] = pair.split(" → ");
      problems.push(`${count} row(s) of ${table ?? ""} refer to ${parent ?? ""} rows that do not exist`);
    }
  } catch (error) {
    problems.push(`the foreign keys cannot be checked: ${errorMessage(error)}`);
  }
  return { ok: problems.length === 0, problems };
}

/**
 * The cheap check run before a report: the run's rows in each covering index a report reads (turns_report,
 * judgments_report) are counted against the other index of the same table (turns_by_run, judgments_by_run), and
 * their statuses must be ones the schema allows. Damage to a data page of those indexes (the issue-12 case, which
 * made `report` print changed statistics and exit 0) either moves rows out of the run's range or garbles them, and
 * `PRAGMA quick_check` does not see it (it does not compare indexes with tables). Cost: index range scans of the run
 * only, about 0.3–0.5 s for 645,000 judgments (decision 0012). Returns the problems found (empty when none).
 */
export function checkRunIndexes(db: Db, runId: string): string[] {
  // PostgreSQL checks its own pages (WAL, checksums when enabled; amcheck for indexes is the DBA's tool).
  if (dialectOf(db) === "postgres") return [];
  const problems: string[] = [];
  const judged = db
    .prepare(`SELECT count(*) AS rows, count(*) FILTER (WHERE status NOT IN ('scored', 'unscored', 'error') OR (status = 'scored') <> (score IS NOT NULL)) AS garbled
    FROM judgments INDEXED BY judgments_report WHERE run_id = ?`)
    .get(runId) as { rows: number; garbled: number };
  const judgments = db
    .prepare("SELECT count(*) FROM judgments INDEXED BY judgments_by_run WHERE run_id = ?")
    .pluck()
    .get(runId) as number;
  const turned = db
    .prepare(`SELECT count(*) AS rows, count(*) FILTER (WHERE status NOT IN ('success', 'error')) AS garbled
    FROM turns INDEXED BY turns_report WHERE run_id = ?`)
    .get(runId) as { rows: number; garbled: number };
  const turns = db
    .prepare("SELECT count(*) FROM turns INDEXED BY turns_by_run WHERE run_id = ?")
    .pluck()
    .get(runId) as number;
  if (judged.rows !== judgments)
    problems.push(
      `the judgments index judgments_report holds ${judged.rows} rows of run ${runId}, judgments_by_run ${judgments}`,
    );
  if (judged.garbled > 0)
    problems.push(
      `${judged.garbled} judgment row(s) of run ${runId} in judgments_report hold values the schema does not allow`,
    );
  if (turned.rows !== turns)
    problems.push(`the turns index turns_report holds ${turned.rows} rows of run ${runId}, turns_by_run ${turns}`);
  if (turned.garbled > 0)
    problems.push(
      `${turned.garbled} turn row(s) of run ${runId} in turns_report hold values the schema does not allow`,
    );
  return problems;
}

/**
 * PostgreSQL enforces foreign keys and CHECK constraints on every write and keeps its pages itself, so a PostgreSQL
 * store's check is that the server answers and that every table of the schema is readable.
 */
function checkPostgres(db: Db): StoreCheckResult {
  const problems: string[] = [];
  const tables = db
    .prepare("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    .pluck()
    .all() as string[];
  for (const table of tables) {
    try {
      db.prepare(`SELECT count(*) FROM "${table.replaceAll('"', '""')}"`)
        .pluck()
        .get();
    } catch (error) {
      problems.push(`the table ${table} cannot be read: ${errorMessage(error)}`);
    }
  }
  return { ok: problems.length === 0, problems };
}
