import type { Db } from "./database.js";

/** The columns of an item the store indexes; the full item is kept as JSON. */
export interface StoredItem {
  readonly id: string;
  readonly version: string;
  readonly language: string;
  readonly pairId: string | undefined;
  readonly guidelineId: string;
  readonly strategy: string;
  readonly turnCount: number;
  readonly json: string;
}

/**
 * The items of each run, in dataset order. Item texts are stored once per version (content hash) and
 * shared by every run that uses them.
 */
export class ItemRepository {
  private readonly insertItem;
  private readonly insertRunItem;

  constructor(private readonly db: Db) {
    this.insertItem = db.prepare("INSERT INTO items (version, item_json) VALUES (?, ?) ON CONFLICT DO NOTHING");
    this.insertRunItem = db.prepare(
      `INSERT INTO run_items (run_id, seq, item_id, item_version, language, pair_id, guideline_id, strategy, turn_count)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** Adds a batch of items to a run, in one transaction; `firstSeq` is the dataset position of the first. */
  addBatch(runId: string, firstSeq: number, items: readonly StoredItem[]): void {
    this.db.transaction(() => {
      items.forEach((item, offset) => {
        this.insertItem.run(item.version, item.json);
        this.insertRunItem.run(
          runId,
          firstSeq + offset,
          item.id,
          item.version,
          item.language,
          item.pairId ?? null,
          item.guidelineId,
          item.strategy,
          item.turnCount,
        );
      });
    })();
  }

  count(runId: string): number {
    return this.db.prepare("SELECT COUNT(*) FROM run_items WHERE run_id = ?").pluck().get(runId) as number;
  }

  /**
   * Streams a run's items as stored JSON, in dataset order, a page at a time (memory flat in run size, and the
   * connection stays free for writes between pages).
   */
  *iterate(
    runId: string,
    pageSize = 500,
  ): Generator<{ readonly seq: number; readonly version: string; readonly json: string }> {
    const page = this.db.prepare(
      `SELECT run_items.seq AS seq, run_items.item_version AS version, items.item_json AS json FROM run_items
       JOIN items ON items.version = run_items.item_version
       WHERE run_items.run_id = ? AND run_items.seq > ? ORDER BY run_items.seq LIMIT ?`,
    );
    let after = -1;
    for (;;) {
      const rows = page.all(runId, after, pageSize) as Array<{ seq: number; version: string; json: string }>;
      yield* rows;
      const last = rows.at(-1);
      if (last === undefined || rows.length < pageSize) return;
      after = last.seq;
    }
  }

  /** Sum of turns over the run's items (for progress totals). */
  turnTotal(runId: string): number {
    return this.db
      .prepare("SELECT COALESCE(SUM(turn_count), 0) FROM run_items WHERE run_id = ?")
      .pluck()
      .get(runId) as number;
  }
}
