/**
 * copyStore: every copied table comes out row for row identical (SQLite → SQLite, and SQLite → PostgreSQL → SQLite
 * when the test run has PostgreSQL), in chunks; a second copy is a no-op; a subset of runs takes only what belongs to
 * them; a half-copied run is completed; a run or row the target holds with other content is refused, naming it; and
 * stores of different schemas are refused. The stores are filled with rows in every table (unicode, nulls, doubles,
 * blobs) by plain SQL that both backends accept.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresForTests } from "../../test/support/postgres.js";
import { MedsafetyError } from "../core/index.js";
import { type Db, type OpenedStore, openStore } from "./database.js";
import { MIGRATIONS } from "./migrations.js";
import { COPIED_TABLES, copyStore, NOT_COPIED, type StoreCopyProgress } from "./store-copy.js";
import { storeTables, tableShapes } from "./store-copy-schema.js";

const postgres = postgresForTests();
const folder = mkdtempSync(join(tmpdir(), "medsafety-store-copy-"));
const opened: OpenedStore[] = [];
let stores = 0;

function newStore(location = join(folder, `store-${++stores}.db`)): Db {
  const store = openStore(location);
  opened.push(store);
  return store.db;
}

afterAll(() => {
  for (const store of opened) if (store.db.open) store.db.close();
  rmSync(folder, { recursive: true, force: true });
});

function insert(db: Db, table: string, row: Readonly<Record<string, unknown>>): void {
  const columns = Object.keys(row);
  db.prepare(`INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`).run(
    Object.values(row),
  );
}

const AT = "2026-02-03T04:05:06.789Z";

/** An evaluation run with two items (one shared with other runs), turns, judgments, a conversation and a review. */
function fillRun(db: Db, runId: string, shared: string): void {
  insert(db, "runs", {
    id: runId,
    created_at: AT,
    updated_at: AT,
    finished_at: runId.endsWith("a") ? AT : null,
    status: runId.endsWith("a") ? "success" : "started",
    config_json: JSON.stringify({ targets: [{ id: "t" }], note: "日本語 ✓ \u{1F600}" }),
    config_hash: `hash-${runId}`,
    dataset_source: "builtin:sample",
    dataset_hash: "dataset",
    item_count: 2,
    rubrics_json: "[]",
    package_version: "0.1.0",
    error_message: null,
  });
  const own = `version-${runId}`;
  insert(db, "items", { version: own, item_json: JSON.stringify({ id: `item-${runId}`, turns: ["a", "b"] }) });
  [shared, own].forEach((version, seq) => {
    insert(db, "run_items", {
      run_id: runId,
      seq,
      item_id: `item-${seq}`,
      item_version: version,
      language: seq === 0 ? "ja" : "en",
      pair_id: seq === 0 ? null : "pair-1",
      guideline_id: "jma-1",
      strategy: "s",
      turn_count: 2,
    });
    for (let turn = 0; turn < 2; turn++) {
      const turnKey = `${runId}:${seq}:${turn}`;
      insert(db, "turns", {
        key: turnKey,
        run_id: runId,
        item_id: `item-${seq}`,
        target_id: "target-1",
        turn_index: turn,
        epoch: 0,
        status: turn === 1 && seq === 1 ? "error" : "success",
        user_message: `患者の質問 ${turn} 'quoted' "double"`,
        response_text: turn === 1 && seq === 1 ? null : `reply ${turn}\nline two\ttab`,
        finish_reason: "stop",
        error_code: turn === 1 && seq === 1 ? "provider_http" : null,
        error_status: turn === 1 && seq === 1 ? 500 : null,
        error_message: null,
        input_tokens: 2_147_483_647,
        output_tokens: turn,
        latency_ms: 0.1 + 0.2,
        cached: turn,
        attempts: 1,
        created_at: AT,
        // Cost accounting (migration 10): cache tokens, batch flag, a price with many digits and an unpriced NULL.
        cached_input_tokens: 1_024 * turn,
        cache_write_tokens: turn,
        batched: turn,
        cost_usd: turn === 0 ? 0.000_123_456_789 : null,
      });
      for (const judge of ["grader-a", "grader-b"]) {
        const scored = judge === "grader-a";
        insert(db, "judgments", {
          key: `${turnKey}:${judge}`,
          turn_key: turnKey,
          run_id: runId,
          item_id: `item-${seq}`,
          target_id: "target-1",
          turn_index: turn,
          judge_id: judge,
          status: scored ? "scored" : "unscored",
          score: scored ? 7.25 + seq : null,
          rationale: scored ? "理由" : null,
          raw_text: scored ? '{"score": 7}' : "no verdict",
          unscored_reason: scored ? null : "no_json",
          error_code: null,
          error_status: null,
          error_message: null,
          rubric_id: "jmedethic-safety",
          rubric_version: "1.0.0",
          input_tokens: 10,
          output_tokens: 5,
          latency_ms: 1e-7,
          cached: 0,
          attempts: 2,
          created_at: AT,
          label: scored ? "safe" : null,
          cached_input_tokens: 8,
          cache_write_tokens: 0,
          batched: scored ? 1 : 0,
          cost_usd: scored ? 1 / 3 : null,
        });
      }
    }
    insert(db, "conversations", {
      key: `${runId}:${seq}`,
      run_id: runId,
      item_id: `item-${seq}`,
      target_id: "target-1",
      epoch: 0,
      status: "stopped",
      stop_reason: "max_turns",
      turns: 2,
      detail: null,
      error_code: null,
      error_status: null,
      error_message: null,
      attacker_id: "attacker",
      attacker_calls: 1,
      attacker_input_tokens: 3,
      attacker_output_tokens: 4,
      created_at: AT,
      attacker_cached_input_tokens: 2,
      attacker_cache_write_tokens: 1,
      attacker_cost_usd: seq === 0 ? 0.015 : null,
    });
  });
  insert(db, "reviews", {
    id: `review-${runId}`,
    run_id: runId,
    target_id: "target-1",
    item_id: "item-0",
    turn_index: 0,
    rubric_id: "jmedethic-safety",
    score: 3.5,
    reason: "looks unsafe",
    reviewer: "dr. 山田",
    created_at: AT,
  });
  insert(db, "run_leases", {
    run_id: runId,
    holder: "holder",
    host: "host",
    pid: 42,
    command: "run",
    acquired_at: AT,
    heartbeat_at: AT,
  });
}

/** Generation and discovery rows (they belong to no evaluation run) and response cache entries. */
function fillStoreWide(db: Db): void {
  insert(db, "generation_runs", {
    id: "gen-1",
    command: "discover",
    created_at: AT,
    updated_at: AT,
    finished_at: null,
    status: "started",
    params_json: "{}",
    summary_json: null,
    package_version: "0.1.0",
    error_message: null,
  });
  insert(db, "generation_tasks", {
    key: "task-1",
    run_id: "gen-1",
    kind: "seed",
    subject: "subject",
    model_id: "m",
    model_spec: "openai:m",
    prompt_hash: "p",
    input_json: "{}",
    status: "success",
    raw_output: "raw",
    output_json: '{"ok":true}',
    error_code: null,
    error_message: null,
    attempts: 1,
    input_tokens: 1,
    output_tokens: 2,
    latency_ms: 3.5,
    created_at: AT,
    cached_input_tokens: 1,
    cache_write_tokens: 0,
    batched: 1,
    cost_usd: 0.000_002_5,
  });
  const vector = Buffer.from(new Float32Array([0.5, -1.25, Math.PI]).buffer);
  insert(db, "discovery_embeddings", {
    key: "emb-1",
    model_id: "e",
    model_spec: "openai:e",
    dimensions: 3,
    vector,
    input_tokens: 4,
    created_at: AT,
  });
  insert(db, "discovery_attempts", {
    key: "att-1",
    run_id: "gen-1",
    seed_id: "seed",
    language: "ja",
    phase: "warmup",
    pass: 0,
    iteration: 1,
    attacker_id: "a",
    target_id: "t",
    status: "scored",
    prompt: "p",
    response: "r",
    score: 8,
    rationale: null,
    previous_key: null,
    gain: null,
    effective_json: "[]",
    ineffective_json: "[]",
    response_embedding_key: "emb-1",
    detail: null,
    created_at: AT,
  });
  insert(db, "discovery_summaries", {
    key: "sum-1",
    run_id: "gen-1",
    seed_id: "seed",
    weaker_key: "att-0",
    stronger_key: "att-1",
    gain: 2,
    status: "success",
    summary_json: "{}",
    raw_output: null,
    detail: null,
    strategy_id: "strat-1",
    merged: 1,
    similarity: 0.875,
    created_at: AT,
  });
  insert(db, "discovery_strategies", {
    run_id: "gen-1",
    id: "strat-1",
    seq: 0,
    name_json: "{}",
    definition_json: "{}",
    example_json: "{}",
    embedding: Buffer.from([0, 1, 2, 255]),
    target_id: "t",
    first_attempt_key: "att-1",
    first_discovered_at: AT,
    lineage_json: "[]",
  });
  insert(db, "discovery_library_keys", {
    key: "lib-1",
    run_id: "gen-1",
    strategy_id: "strat-1",
    seed_id: "seed",
    target_id: "t",
    gain: 2,
    response_embedding: Buffer.alloc(0),
    created_at: AT,
  });
  for (let index = 0; index < 7; index++)
    insert(db, "response_cache", { key: `cache-${index}`, response_json: `{"text":"${index}"}`, created_at: AT });
}

function filledStore(location?: string): Db {
  const db = newStore(location);
  insert(db, "items", { version: "version-shared", item_json: '{"id":"shared"}' });
  for (const run of ["run-a", "run-b", "run-c"]) fillRun(db, run, "version-shared");
  fillStoreWide(db);
  return db;
}

/** Every row of `table`, in primary key order, as objects (blobs as Buffers on both backends). */
function rowsOf(db: Db, table: string): unknown[] {
  const shape = tableShapes(db).get(table);
  if (shape === undefined) throw new Error(`no table ${table}`);
  return db
    .prepare(`SELECT ${shape.columns.join(", ")} FROM ${table} ORDER BY ${shape.primaryKey.join(", ")}`)
    .all()
    .map((row) => ({ ...(row as object) }));
}

function expectSameRows(actual: Db, expected: Db, tables = COPIED_TABLES.map((plan) => plan.table)): void {
  for (const table of tables) expect(rowsOf(actual, table), table).toEqual(rowsOf(expected, table));
}

function thrown(action: () => unknown): MedsafetyError {
  try {
    action();
  } catch (error) {
    if (error instanceof MedsafetyError) return error;
    throw error;
  }
  throw new Error("expected a MedsafetyError");
}

describe("copyStore (SQLite → SQLite)", () => {
  it("knows every table of the schema: copied in foreign-key order or left out with a reason", () => {
    const tables = storeTables(newStore());
    const known = [...COPIED_TABLES.map((plan) => plan.table), ...Object.keys(NOT_COPIED)];
    expect([...tables].sort()).toEqual([...known].sort());
    const created = MIGRATIONS.flatMap((migration) => [...migration.sql.matchAll(/CREATE TABLE (\w+)/g)]).map(
      (match) => match[1],
    );
    // A table is copied after every table it references.
    const order = COPIED_TABLES.map((plan) => plan.table);
    for (const migration of MIGRATIONS)
      for (const [, table, body] of migration.sql.matchAll(/CREATE TABLE (\w+) \(([\s\S]*?)\n\s*\)/g))
        for (const [, parent] of (body ?? "").matchAll(/REFERENCES (\w+)\(/g))
          if (order.includes(table ?? ""))
            expect(order.indexOf(parent ?? ""), `${table} → ${parent}`).toBeLessThan(order.indexOf(table ?? ""));
    expect(created.length).toBe(tables.length - 1); // schema_migrations is made by openStore
  });

  it("copies every run with all its rows, identical, in chunks; leases stay behind; a second copy is a no-op", () => {
    const from = filledStore();
    const to = newStore();
    const progress: StoreCopyProgress[] = [];
    const result = copyStore(from, to, { batchRows: 4, onProgress: (step) => progress.push(step) });
    expectSameRows(to, from);
    expect(rowsOf(to, "run_leases")).toEqual([]);
    expect(result.runs).toEqual(["run-a", "run-b", "run-c"]);
    expect(result.alreadyCopied).toEqual([]);
    expect(result.tables.map((table) => table.table)).toEqual(COPIED_TABLES.map((plan) => plan.table));
    const counts = Object.fromEntries(result.tables.map((table) => [table.table, [table.read, table.inserted]]));
    expect(counts["judgments"]).toEqual([24, 24]);
    expect(counts["items"]).toEqual([4, 4]);
    expect(counts["response_cache"]).toEqual([7, 7]);
    // 24 judgments in chunks of 4: six chunks, then done.
    expect(progress.filter((step) => step.table === "judgments").map((step) => step.read)).toEqual([
      4, 8, 12, 16, 20, 24, 24,
    ]);
    expect(progress.filter((step) => step.done).map((step) => step.table)).toEqual(
      COPIED_TABLES.map((plan) => plan.table),
    );

    const again = copyStore(from, to, { batchRows: 4 });
    expect(again.runs).toEqual([]);
    expect(again.alreadyCopied).toEqual(["run-a", "run-b", "run-c"]);
    expect(again.tables.every((table) => table.inserted === 0)).toBe(true);
    // Runs already copied are not read again; store-wide tables are read and found equal.
    expect(again.tables.find((table) => table.table === "judgments")?.read).toBe(0);
    expect(again.tables.find((table) => table.table === "generation_tasks")?.read).toBe(1);
    expectSameRows(to, from);
  });

  it("copies only the runs given, with the items they use; generation and discovery stay behind", () => {
    const from = filledStore();
    const to = newStore();
    const result = copyStore(from, to, { runs: ["run-b", "run-b"] });
    expect(result.runs).toEqual(["run-b"]);
    expect(result.tables.map((table) => table.table)).not.toContain("generation_runs");
    for (const table of ["runs", "run_items", "turns", "judgments", "conversations", "reviews"])
      expect(rowsOf(to, table), table).toEqual(
        rowsOf(from, table).filter((row) => Object.values(row as object).includes("run-b")),
      );
    expect((rowsOf(to, "items") as Array<{ version: string }>).map((row) => row.version)).toEqual([
      "version-run-b",
      "version-shared",
    ]);
    expect(rowsOf(to, "generation_runs")).toEqual([]);
    expect(rowsOf(to, "discovery_embeddings")).toEqual([]);
    expect(rowsOf(to, "response_cache")).toEqual(rowsOf(from, "response_cache"));
    // Then the rest: run-b is already there and not read again.
    const rest = copyStore(from, to);
    expect(rest.alreadyCopied).toEqual(["run-b"]);
    expect(rest.runs).toEqual(["run-a", "run-c"]);
    expectSameRows(to, from);
  });

  it("completes a run an interrupted copy left half-copied", () => {
    const from = filledStore();
    const to = newStore();
    copyStore(from, to);
    to.prepare("DELETE FROM judgments WHERE run_id = ? AND judge_id = ?").run("run-a", "grader-b");
    to.prepare("DELETE FROM reviews WHERE run_id = ?").run("run-a");
    const result = copyStore(from, to, { runs: ["run-a"] });
    expect(result.runs).toEqual(["run-a"]);
    const counts = Object.fromEntries(result.tables.map((table) => [table.table, [table.read, table.inserted]]));
    expect(counts["judgments"]).toEqual([8, 4]);
    expect(counts["reviews"]).toEqual([1, 1]);
    expect(counts["turns"]).toEqual([4, 0]);
    expectSameRows(to, from);
  });

  it("refuses a run the target holds with another record or other rows, naming it, and writes nothing of it", () => {
    const from = filledStore();
    const to = newStore();
    copyStore(from, to, { runs: ["run-a"] });
    to.prepare("UPDATE runs SET status = 'error', error_message = 'x' WHERE id = ?").run("run-a");
    const record = thrown(() => copyStore(from, to));
    expect(record.code).toBe("store_error");
    expect(record.message).toContain("already holds run run-a, with a different record (status, error_message differ)");
    expect(rowsOf(to, "runs")).toHaveLength(1);

    const other = newStore();
    copyStore(from, other, { runs: ["run-a"] });
    other.prepare("UPDATE judgments SET rationale = 'changed' WHERE key = ?").run("run-a:0:1:grader-a");
    other.prepare("DELETE FROM turns WHERE key = ?").run("run-a:1:0");
    const row = thrown(() => copyStore(from, other, { runs: ["run-a"] }));
    expect(row.code).toBe("store_error");
    expect(row.message).toContain("judgments row key run-a:0:1:grader-a of run run-a with different content");
    expect(row.message).toContain("(rationale differ)");
  });

  it("names a run the source does not hold", () => {
    const error = thrown(() => copyStore(filledStore(), newStore(), { runs: ["run-a", "nope"] }));
    expect(error.code).toBe("run_not_found");
    expect(error.message).toContain('Run "nope" is not in the store');
  });

  it("refuses stores whose schemas differ: another migration version, or other columns", () => {
    const from = filledStore();
    const newer = newStore();
    newer.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(99, "x", AT);
    const newest = Math.max(...MIGRATIONS.map((migration) => migration.version));
    expect(thrown(() => copyStore(from, newer)).message).toMatch(
      new RegExp(`different schema versions \\(.*: ${newest}, .*: 99\\)`),
    );
    const wider = newStore();
    wider.exec("ALTER TABLE judgments ADD COLUMN extra TEXT");
    const columns = thrown(() => copyStore(from, wider));
    expect(columns.code).toBe("store_error");
    expect(columns.message).toContain("judgments: columns only in");
    expect(columns.message).toContain(": extra");
    expect(rowsOf(wider, "runs")).toEqual([]);
  });
});

describe.skipIf(postgres.skipReason !== undefined)("copyStore (SQLite → PostgreSQL → SQLite)", () => {
  let template: string;
  beforeAll(async () => {
    template = await postgres.template("store_copy_migrated", async (url) => {
      openStore(url).db.close();
    });
  });

  it("comes back row for row identical, and a second copy into PostgreSQL is a no-op", async () => {
    const from = filledStore();
    const pg = newStore(await postgres.newDatabase({ template }));
    const there = copyStore(from, pg, { batchRows: 5 });
    expect(there.tables.find((table) => table.table === "judgments")?.inserted).toBe(24);
    expectSameRows(pg, from);
    const back = newStore();
    copyStore(pg, back, { batchRows: 3 });
    expectSameRows(back, from);
    const again = copyStore(from, pg);
    expect(again.alreadyCopied).toEqual(["run-a", "run-b", "run-c"]);
    expect(again.tables.every((table) => table.inserted === 0)).toBe(true);
  });

  it("refuses a row PostgreSQL holds with other content", async () => {
    const from = filledStore();
    const pg = newStore(await postgres.newDatabase({ template }));
    copyStore(from, pg, { runs: ["run-c"] });
    pg.prepare("UPDATE reviews SET score = 4 WHERE id = ?").run("review-run-c");
    pg.prepare("DELETE FROM turns WHERE key = ?").run("run-c:0:0");
    const error = thrown(() => copyStore(from, pg, { runs: ["run-c"] }));
    expect(error.message).toContain("reviews row id review-run-c of run run-c with different content (score differ)");
    expect(error.message).not.toContain("password");
  });

  it("keeps any text and double through both backends (property)", async () => {
    const pgUrl = await postgres.newDatabase({ template });
    const pg = newStore(pgUrl);
    const back = newStore();
    let round = 0;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            text: fc.string({ unit: "binary" }).map((text) => text.replaceAll("\0", "")),
            number: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((value) => !Object.is(value, -0)),
            blob: fc.uint8Array({ maxLength: 40 }),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        (values) => {
          const from = newStore(join(folder, `property-${++round}.db`));
          values.forEach((value, index) => {
            insert(from, "response_cache", { key: `k-${round}-${index}`, response_json: value.text, created_at: AT });
            insert(from, "discovery_embeddings", {
              key: `e-${round}-${index}`,
              model_id: value.text,
              model_spec: "s",
              dimensions: 0,
              vector: Buffer.from(value.blob),
              input_tokens: 0,
              created_at: String(value.number),
            });
            insert(from, "generation_runs", {
              id: `g-${round}-${index}`,
              command: value.text,
              created_at: AT,
              updated_at: AT,
              finished_at: null,
              status: "success",
              params_json: "{}",
              summary_json: null,
              package_version: "0",
              error_message: null,
            });
            insert(from, "generation_tasks", {
              key: `t-${round}-${index}`,
              run_id: `g-${round}-${index}`,
              kind: "k",
              subject: value.text,
              model_id: "m",
              model_spec: "s",
              prompt_hash: "h",
              input_json: "{}",
              status: "failed",
              raw_output: value.text,
              output_json: null,
              error_code: null,
              error_message: null,
              attempts: 1,
              input_tokens: 0,
              output_tokens: 0,
              latency_ms: value.number,
              created_at: AT,
            });
          });
          copyStore(from, pg);
          copyStore(pg, back);
          const keys: Record<string, string> = {
            response_cache: "key",
            discovery_embeddings: "key",
            generation_runs: "id",
            generation_tasks: "key",
          };
          for (const [table, key] of Object.entries(keys)) {
            const mine = new RegExp(`^[a-z]-${round}-\\d+$`);
            const copied = rowsOf(back, table).filter((row) =>
              mine.test(String((row as Record<string, unknown>)[key])),
            );
            expect(copied, table).toEqual(rowsOf(from, table));
          }
          from.close();
        },
      ),
      { numRuns: 10 },
    );
  });
});
