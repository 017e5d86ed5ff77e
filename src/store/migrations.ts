/**
 * Numbered migrations, applied in order inside one transaction each. Never edit a released migration: add a
 * new one. `openStore` reports which were applied.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "runs-items-turns-judgments-cache",
    sql: `
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL CHECK (status IN ('started', 'success', 'cancelled', 'error')),
        config_json TEXT NOT NULL,
        config_hash TEXT NOT NULL,
        dataset_source TEXT NOT NULL,
        dataset_hash TEXT NOT NULL,
        item_count INTEGER NOT NULL,
        rubrics_json TEXT NOT NULL,
        package_version TEXT NOT NULL,
        error_message TEXT
      );
      CREATE TABLE items (
        version TEXT PRIMARY KEY,
        item_json TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE run_items (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        item_id TEXT NOT NULL,
        item_version TEXT NOT NULL REFERENCES items(version),
        language TEXT NOT NULL,
        pair_id TEXT,
        guideline_id TEXT NOT NULL,
        strategy TEXT NOT NULL,
        turn_count INTEGER NOT NULL,
        PRIMARY KEY (run_id, seq)
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX run_items_item ON run_items(run_id, item_id);
      CREATE TABLE turns (
        key TEXT PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        item_id TEXT NOT NULL,
        target_id TEXT NOT NULL,
        turn_index INTEGER NOT NULL,
        epoch INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('success', 'error')),
        user_message TEXT NOT NULL,
        response_text TEXT,
        finish_reason TEXT,
        error_code TEXT,
        error_status INTEGER,
        error_message TEXT,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        latency_ms REAL NOT NULL,
        cached INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        created_at TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX turns_by_run ON turns(run_id, target_id, item_id, turn_index);
      CREATE TABLE judgments (
        key TEXT PRIMARY KEY,
        turn_key TEXT NOT NULL,
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        item_id TEXT NOT NULL,
        target_id TEXT NOT NULL,
        turn_index INTEGER NOT NULL,
        judge_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('scored', 'unscored', 'error')),
        score REAL,
        rationale TEXT,
        raw_text TEXT,
        unscored_reason TEXT,
        error_code TEXT,
        error_status INTEGER,
        error_message TEXT,
        rubric_id TEXT NOT NULL,
        rubric_version TEXT NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        latency_ms REAL NOT NULL,
        cached INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        CHECK ((status = 'scored') = (score IS NOT NULL))
      ) WITHOUT ROWID;
      CREATE INDEX judgments_by_run ON judgments(run_id, target_id, item_id, turn_index, judge_id);
      CREATE INDEX judgments_by_turn ON judgments(turn_key);
      CREATE TABLE response_cache (
        key TEXT PRIMARY KEY,
        response_json TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: "judgment-labels",
    sql: `ALTER TABLE judgments ADD COLUMN label TEXT;`,
  },
  {
    version: 3,
    name: "report-covering-indexes",
    // Reports read every turn and judgment of a run: these indexes hold every column they read, so each pass is one
    // ordered index range scan instead of a lookup into the table per row (8.7 M judgments: seconds, not minutes).
    sql: `
      CREATE INDEX turns_report ON turns(run_id, target_id, item_id, turn_index, status, cached, input_tokens, output_tokens);
      CREATE INDEX judgments_report ON judgments(run_id, rubric_id, target_id, item_id, turn_index, judge_id, status, score, cached, input_tokens, output_tokens);
    `,
  },
];
