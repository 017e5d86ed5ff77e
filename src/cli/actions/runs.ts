import Table from "cli-table3";
import { BatchRepository, runCosts, runStops, WorkerRepository } from "../../store/index.js";
import { costLines, summarizeCosts } from "../cost-lines.js";
import { openStores, type Stores, storePath } from "../open-store.js";
import type { Output } from "../output.js";
import { PLAIN } from "../table-style.js";

/** `medsafety runs list`: the store's runs, newest first. */
export function runsListCommand(options: { store?: string; json?: boolean; limit: string }, output: Output): void {
  withStores(options.store, (stores) => {
    const records = stores.runs.list(Number(options.limit));
    if (options.json === true) {
      output.out(
        JSON.stringify(
          records.map((record) => ({ ...summary(record), usage: stores.runs.usage(record.id) })),
          null,
          2,
        ),
      );
      return;
    }
    const table = new Table({
      style: PLAIN,
      head: ["run", "created", "status", "dataset", "items", "targets", "judges", "config"],
    });
    for (const record of records) {
      const row = summary(record);
      table.push([
        row.id,
        row.createdAt,
        row.stopReason === null ? row.status : `${row.status} (${row.stopReason})`,
        row.datasetSource,
        row.itemCount,
        row.targets.join(", "),
        row.judges.join(", "),
        row.configHash,
      ]);
    }
    output.out(
      records.length === 0
        ? "no runs yet: start one with `npx medsafety run -c medsafety.config.yaml`"
        : table.toString(),
    );
  });
}

/**
 * `medsafety runs show <run>`: one run's record, with its cost by role and model (USD at each call's price when it was
 * made, the cached-input share, unpriced calls) and where its prices came from.
 */
export function runsShowCommand(reference: string, options: { store?: string; json?: boolean }, output: Output): void {
  withStores(options.store, (stores) => {
    const record = stores.runs.resolve(reference);
    const costs = runCosts(stores.db, record.id);
    const details = {
      ...summary(record),
      finishedAt: record.finishedAt,
      datasetHash: record.datasetHash,
      rubrics: record.rubrics,
      packageVersion: record.packageVersion,
      errorMessage: record.errorMessage,
      usage: stores.runs.usage(record.id),
      prices: priceSources(record.config),
      ...adaptiveDetails(stores, record),
      ...budgetDetails(record),
      ...workerDetails(stores, record.id),
      ...batchDetails(stores, record.id),
    };
    if (options.json === true) {
      output.out(JSON.stringify({ ...details, costs: summarizeCosts(costs), config: record.config }, null, 2));
      return;
    }
    for (const [key, value] of Object.entries(details)) {
      output.out(
        `${key.padEnd(15)} ${typeof value === "object" && value !== null ? JSON.stringify(value) : String(value)}`,
      );
    }
    for (const line of costLines(costs)) output.out(line);
  });
}

/**
 * Where a run's prices came from, read from its frozen config: the price table's version and date for the bindings
 * it priced (`price.source`), the config for bindings with their own `price:`, and "unpriced" naming each hosted
 * binding with neither (free models, `openai-compatible:` and `local:`, have no `price:` and cost 0).
 */
function priceSources(config: unknown): string {
  const roles = config as { targets?: readonly Binding[]; judges?: readonly Binding[]; attacker?: Binding };
  const bindings = [...(roles.targets ?? []), ...(roles.judges ?? []), ...(roles.attacker ? [roles.attacker] : [])];
  const sources = new Set<string>();
  for (const binding of bindings) {
    if (binding.price !== undefined) sources.add(binding.price.source ?? "the config's price:");
    else if (/^(openai|anthropic|google):/.test(binding.model ?? "")) sources.add(`unpriced (${binding.id})`);
  }
  return sources.size === 0 ? "free models only" : [...sources].join("; ");
}

/** What `priceSources` reads of a binding in a frozen config. */
interface Binding {
  readonly id: string;
  readonly model?: string;
  readonly price?: { readonly source?: string };
}

/** A run with a budget (`maxCost`, `--max-cost`; decision 0021): the budget it was recorded with, in USD. */
function budgetDetails(record: ReturnType<Stores["runs"]["resolve"]>): Record<string, unknown> {
  const maxCost = (record.config as { maxCost?: unknown }).maxCost;
  return typeof maxCost === "number" ? { maxCostUsd: maxCost } : {};
}

/**
 * Runs with `batch: true` bindings (decision 0019): their provider batches (how many, how many still pending) and
 * their requests by status; a pending batch is polled, not sent again, by `run --resume`.
 */
function batchDetails(stores: Stores, runId: string): Record<string, unknown> {
  const repository = new BatchRepository(stores.db);
  const batches = repository.listForRun(runId);
  if (batches.length === 0) return {};
  return {
    batches: {
      submitted: batches.length,
      pending: batches.filter((batch) => batch.status === "pending").length,
      requests: repository.requestCounts(runId),
    },
  };
}

/** PostgreSQL stores: the workers whose latest job taken was of this run (host, pid, last heartbeat, jobs done, errors). */
function workerDetails(stores: Stores, runId: string): Record<string, unknown> {
  if (stores.backend !== "postgres") return {};
  const workers = new WorkerRepository(stores.db).list(runId).map((worker) => ({
    host: worker.host,
    pid: worker.pid,
    state: worker.state,
    heartbeatAt: worker.heartbeatAt,
    jobsDone: worker.jobsDone,
    errors: worker.errors,
  }));
  return { workers };
}

/**
 * `medsafety runs cancel`: records the run as cancelled; on a PostgreSQL store its waiting jobs are removed and every
 * worker drops the run (calls in flight settle and are stored). `run --resume` continues it.
 */
export async function runsCancelCommand(reference: string, options: { store?: string }, output: Output) {
  const stores = openStores(storePath(options.store), { mustExist: true });
  try {
    const record = stores.runs.resolve(reference);
    const targets = ((record.config as { targets?: Array<{ id: string }> }).targets ?? []).map((target) => target.id);
    if (stores.backend === "postgres") {
      const { cancelQueuedRun } = await import("../run-queued.js");
      await cancelQueuedRun(stores, storePath(options.store), record.id, targets);
    } else stores.runs.setStatus(record.id, "cancelled");
    output.out(`run ${record.id}: cancelled (was ${record.status})`);
    output.out(`resume: npx medsafety run --resume ${record.id}`);
  } finally {
    stores.close();
  }
}

/** Adaptive runs: the mode, the attacker and how the conversations ended (stop reasons, attacker usage). */
function adaptiveDetails(stores: Stores, record: ReturnType<Stores["runs"]["resolve"]>): Record<string, unknown> {
  const config = record.config as { mode?: string; attacker?: { id: string } };
  if (config.mode !== "adaptive") return {};
  return { mode: config.mode, attacker: config.attacker?.id ?? null, stops: runStops(stores.db, record.id) };
}

function withStores(path: string | undefined, action: (stores: Stores) => void): void {
  const stores = openStores(storePath(path), { mustExist: true });
  try {
    action(stores);
  } finally {
    stores.close();
  }
}

function summary(record: ReturnType<Stores["runs"]["resolve"]>) {
  const config = record.config as { targets?: Array<{ id: string }>; judges?: Array<{ id: string }> };
  return {
    id: record.id,
    createdAt: record.createdAt,
    status: record.status,
    stopReason: record.stopReason,
    datasetSource: record.datasetSource,
    itemCount: record.itemCount,
    targets: (config.targets ?? []).map((target) => target.id),
    judges: (config.judges ?? []).map((judge) => judge.id),
    configHash: record.configHash,
  };
}
