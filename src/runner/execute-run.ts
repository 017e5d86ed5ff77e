import { errorMessage, InputError, withSecondError } from "../core/index.js";
import { type BenchmarkItem, benchmarkItemSchema, DatasetHasher, type VersionedItem } from "../datasets/index.js";
import {
  beginTransaction,
  type Db,
  type ItemRepository,
  parseStoredJson,
  type ResultRepository,
  type RubricReference,
  type RunRepository,
  type StoredItem,
} from "../store/index.js";
import { type RunItem, runBenchmark } from "./run-benchmark.js";
import type { RunContext } from "./run-context.js";

export interface RunStores {
  readonly db: Db;
  readonly runs: RunRepository;
  readonly items: ItemRepository;
  readonly results: ResultRepository;
}

export interface NewRunSpec {
  readonly runId: string;
  /** The frozen, resolved config (no secrets): enough to resume and to reproduce. */
  readonly config: unknown;
  readonly configHash: string;
  readonly datasetSource: string;
  /** The items, streamed (e.g. `openBenchmarks` from datasets). */
  readonly items: AsyncIterable<VersionedItem>;
  /** Rubrics judges apply to every item (judge overrides); item rubrics are added as items are read. */
  readonly rubrics: readonly RubricReference[];
  /** Resolves an item's rubric (throws for an unknown one, so the run is not created). */
  readonly rubricFor: (rubric: string | undefined) => RubricReference;
  /** When every judge overrides the rubric, items' own rubrics are not used and need not exist. */
  readonly itemRubricsUsed: boolean;
  readonly packageVersion: string;
  /** Keep only items in these languages. */
  readonly languages?: readonly string[];
  /** Keep only the first N items (after the language filter). */
  readonly limit?: number;
  /** User turns planned per item, stored as its turn count (default: its stored turns; adaptive mode: its maximum). */
  readonly turnCountOf?: (item: BenchmarkItem) => number;
  /** Checks an item before it is kept (throws an InputError naming file and line), e.g. adaptive mode's strategy. */
  readonly checkItem?: (versioned: VersionedItem) => void;
  /**
   * Called with each batch of items as it is stored, inside the run's transaction: what it writes on the store's
   * connection commits with the run or not at all (on PostgreSQL, the jobs of the work queue).
   */
  readonly onItemsStored?: (items: readonly StoredItem[]) => void;
}

/**
 * Creates the run record and copies the dataset's items into the store in one transaction, so a run either
 * exists with all its items or not at all. Bad dataset lines throw (file, line, field) before anything is kept.
 */
export async function createRun(stores: RunStores, spec: NewRunSpec): Promise<{ readonly itemCount: number }> {
  const hasher = new DatasetHasher();
  const batch: StoredItem[] = [];
  const seen = new Set<string>();
  const rubrics = new Map(spec.rubrics.map((rubric) => [rubric.id, rubric]));
  let count = 0;
  const transaction = beginTransaction(stores.db);
  try {
    stores.runs.create({
      id: spec.runId,
      config: spec.config,
      configHash: spec.configHash,
      datasetSource: spec.datasetSource,
      datasetHash: "",
      itemCount: 0,
      rubrics: [],
      packageVersion: spec.packageVersion,
    });
    for await (const versioned of spec.items) {
      const { item } = versioned;
      if (spec.languages !== undefined && !spec.languages.includes(item.language)) continue;
      if (spec.limit !== undefined && count + batch.length >= spec.limit) break;
      if (seen.has(item.id)) {
        throw new InputError(
          "dataset_invalid",
          { file: versioned.file, line: versioned.line, field: "id" },
          `id "${item.id}" is already used by an earlier item of this run`,
          "Give every item of the run's benchmarks a unique id",
        );
      }
      seen.add(item.id);
      spec.checkItem?.(versioned);
      if (spec.itemRubricsUsed && !rubrics.has(item.rubric ?? "")) {
        const rubric = spec.rubricFor(item.rubric);
        rubrics.set(item.rubric ?? "", rubric);
        rubrics.set(rubric.id, rubric);
      }
      hasher.add(versioned);
      batch.push({
        id: item.id,
        version: versioned.version,
        language: item.language,
        pairId: item.pairId,
        guidelineId: item.guidelineId,
        strategy: item.strategy,
        turnCount: spec.turnCountOf?.(item) ?? item.turns.length,
        json: JSON.stringify(item),
      });
      if (batch.length >= 1000) count = flushItems(stores, spec, count, batch);
    }
    count = flushItems(stores, spec, count, batch);
    if (count === 0) {
      const filters = [
        spec.languages === undefined ? "" : `languages [${spec.languages.join(", ")}]`,
        spec.limit === undefined ? "" : `limit ${spec.limit}`,
      ].filter((part) => part !== "");
      throw new InputError(
        "dataset_invalid",
        { file: spec.datasetSource },
        filters.length === 0
          ? "the benchmark holds no items"
          : `no item of the benchmark is left after the config's ${filters.join(" and ")}`,
        "A run needs at least one item: check the benchmark path and the config's `languages` (the items' `language` fields), then run again",
      );
    }
    const references = [
      ...new Map([...rubrics.values()].map((rubric) => [`${rubric.id}#${rubric.hash}`, rubric])).values(),
    ];
    stores.runs.recordDataset(spec.runId, { datasetHash: hasher.digest(), itemCount: count, rubrics: references });
    transaction.commit();
  } catch (error) {
    transaction.rollback();
    throw error;
  }
  return { itemCount: count };
}

function flushItems(stores: RunStores, spec: NewRunSpec, count: number, batch: StoredItem[]): number {
  stores.items.addBatch(spec.runId, count, batch);
  if (batch.length > 0) spec.onItemsStored?.(batch);
  const next = count + batch.length;
  batch.length = 0;
  return next;
}

/**
 * Runs (or resumes) a stored run to its end and records its status: `success`, `cancelled` (stop signal), or
 * `error` (an unexpected failure, whose message is kept and rethrown). The status is recorded whatever happens to
 * the final flush of results: a flush that fails turns the status into `error` naming both failures, and never
 * replaces the run's own error.
 */
export async function executeRun(stores: RunStores, context: RunContext): Promise<"success" | "cancelled"> {
  const totals = { conversations: stores.items.count(context.runId), turns: stores.items.turnTotal(context.runId) };
  stores.runs.setStatus(context.runId, "started");
  let status: "success" | "cancelled" | undefined;
  let failure: unknown;
  try {
    status = await runBenchmark(context, storedItems(stores, context.runId), totals);
  } catch (error) {
    failure = error;
  }
  let flushFailure: unknown;
  try {
    stores.results.flush();
  } catch (error) {
    flushFailure = error;
  }
  if (failure === undefined && flushFailure === undefined && status !== undefined) {
    stores.runs.setStatus(context.runId, status);
    return status;
  }
  const reported =
    failure === undefined
      ? flushFailure
      : flushFailure === undefined
        ? failure
        : withSecondError(failure, flushFailure, "storing the last results");
  try {
    stores.runs.setStatus(context.runId, "error", errorMessage(reported));
  } catch (statusFailure) {
    throw withSecondError(reported, statusFailure, "recording the run's status");
  }
  throw reported;
}

function* storedItems(stores: RunStores, runId: string): Generator<RunItem> {
  for (const row of stores.items.iterate(runId)) {
    yield { item: benchmarkItemSchema.parse(parseStoredJson(row.json, "items.item_json")), version: row.version };
  }
}
