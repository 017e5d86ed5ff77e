/**
 * The store's upsert, in SQL both SQLite (3.24+) and PostgreSQL accept: `INSERT … ON CONFLICT (key) DO UPDATE SET`
 * every other column to the new row's value. For rows written by deterministic key (a retried key replaces its earlier
 * row) it stores what SQLite's `INSERT OR REPLACE` stored: every column is listed, so none falls back to a default,
 * and no foreign key cascades from a table written this way (only `runs` has `ON DELETE CASCADE` children, and runs
 * are inserted, never replaced), so the delete REPLACE did removed nothing else. The row is updated in place instead
 * of deleted and inserted again.
 */
export function upsertSql(table: string, columns: readonly string[], conflict: readonly string[] = ["key"]): string {
  const placeholders = columns.map(() => "?").join(", ");
  const updates = columns
    .filter((column) => !conflict.includes(column))
    .map((column) => `${column} = excluded.${column}`)
    .join(", ");
  return `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${placeholders}) ON CONFLICT (${conflict.join(", ")}) DO UPDATE SET ${updates}`;
}
