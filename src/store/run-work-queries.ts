import type { Db } from "./database.js";

/**
 * What workers read to find and run their conversations, and what `run` reads to show progress over all workers:
 * the runs still going, one stored item, the results stored so far, the conversations with stored errors.
 */

/** Ids of the runs whose status is `started` (being worked on), oldest first. */
export function startedRunIds(db: Db): string[] {
  return db.prepare("SELECT id FROM runs WHERE status = 'started' ORDER BY created_at, id").pluck().all() as string[];
}

/** A run's status, or undefined when the store has no such run. */
export function runStatusOf(db: Db, runId: string): string | undefined {
  return db.prepare("SELECT status FROM runs WHERE id = ?").pluck().get(runId) as string | undefined;
}

/** The stored JSON of an item version (items are stored once per version), or undefined. */
export function storedItemJson(db: Db, version: string): string | undefined {
  return db.prepare("SELECT item_json FROM items WHERE version = ?").pluck().get(version) as string | undefined;
}

/** The (item, version) pairs of a run, in dataset order, a page at a time: what its jobs are made of. */
export function* runItemVersions(
  db: Db,
  runId: string,
  pageSize = 1000,
): Generator<{ readonly itemId: string; readonly itemVersion: string }> {
  const page = db.prepare(
    `SELECT seq, item_id AS "itemId", item_version AS "itemVersion" FROM run_items
     WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
  );
  let after = -1;
  for (;;) {
    const rows = page.all(runId, after, pageSize) as Array<{ seq: number; itemId: string; itemVersion: string }>;
    for (const row of rows) yield { itemId: row.itemId, itemVersion: row.itemVersion };
    const last = rows.at(-1);
    if (last === undefined || rows.length < pageSize) return;
    after = last.seq;
  }
}

/** How many turns and judgments a run has stored (any status), over every process that writes them. */
export function storedResultCounts(db: Db, runId: string): { readonly turns: number; readonly judgments: number } {
  const turns = db.prepare("SELECT COUNT(*) FROM turns WHERE run_id = ?").pluck().get(runId) as number;
  const judgments = db.prepare("SELECT COUNT(*) FROM judgments WHERE run_id = ?").pluck().get(runId) as number;
  return { turns, judgments };
}
