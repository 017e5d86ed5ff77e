import { resolve } from "node:path";
import { type Config, configSchema, loadConfig } from "../config/index.js";
import { InputError, newRunId } from "../core/index.js";
import { type RunEventMap, RunEvents, type RunHealth } from "../runner/index.js";
import { ItemRepository, openStore, ResponseCacheRepository, ResultRepository, RunRepository } from "../store/index.js";
import {
  type BoundRun,
  bindRun,
  checkRunEnd,
  closeAll,
  executeBoundRun,
  recordRun,
  requireRunRoles,
} from "./run-steps.js";

/** Where `evaluate` keeps its results when neither `store` nor the config's `store` says: as `medsafety run` does. */
export const DEFAULT_STORE_PATH = ".medsafety/medsafety.db";

/** What {@link evaluate} runs: a config (a YAML file, or the object itself), against a store. */
export interface EvaluateOptions {
  /** A config file (YAML), as `medsafety run -c` reads it; relative paths in it are relative to its folder. */
  readonly configPath?: string;
  /**
   * Or the config as an object (the same keys as the YAML file, validated the same way); relative paths in it are
   * relative to the working directory. Exactly one of `configPath` and `config` is needed.
   */
  readonly config?: unknown;
  /**
   * The environment API keys (each binding's `apiKeyEnv`) and `MEDSAFETY_DATA` (for `medsafetybench:` sources) are read from.
   * Pass `process.env` to behave as the CLI does; the library never reads the process environment itself.
   */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The SQLite store (created if missing). Default: the config's `store`, else `.medsafety/medsafety.db`. */
  readonly store?: string;
  /** Use the response cache when the config enables it (default true; `medsafety run --no-cache` is false). */
  readonly cache?: boolean;
  /** Calls in flight at most (default: the config's `concurrency`). */
  readonly concurrency?: number;
  /**
   * Aborting it stops the run as Ctrl-C does: no new calls start, calls in flight settle and are recorded, and the run
   * ends `cancelled` (it can be finished later with `medsafety run --resume <runId>`).
   */
  readonly signal?: AbortSignal;
  /** Listeners for the runner's events (progress, logs), by event name. */
  readonly on?: { readonly [Name in keyof RunEventMap]?: (event: RunEventMap[Name]) => void };
  /** The clock of the run's timestamps (default: the system clock). */
  readonly now?: () => Date;
}

/** How {@link evaluate} ended. */
export interface EvaluateResult {
  /** The stored run: pass it to `openResultStore(storePath).report(runId)`. */
  readonly runId: string;
  /** The absolute path of the store that holds the run. */
  readonly storePath: string;
  /**
   * `success`: every conversation ran and the end-of-run check passed; `error`: it ran but failed that check (a model
   * with no successful call, or more failed calls than `maxErrorRate`; see `health.problems`), as `medsafety run`
   * exits 4; `cancelled`: `signal` was aborted.
   */
  readonly status: "success" | "cancelled" | "error";
  /** The run's stored calls by model and outcome, and the problems of the end-of-run check. */
  readonly health: RunHealth;
}

/**
 * Runs a benchmark as `medsafety run` does, in one call: validates the config, binds its targets, judges (and
 * attacker in adaptive mode) to models, records the run and copies its dataset into the store, runs every item ×
 * target conversation with every judge scoring every turn, and checks the stored calls at the end. Results stay in
 * the store; build the report with {@link openResultStore}. Bad input throws an `InputError` naming file, line and
 * field before anything is recorded; a failed call is stored as an error row, never thrown.
 *
 * Unlike the CLI, it checks no server before the run (a server that does not answer shows in `health`), takes no
 * run lease (decision 0011: do not resume the same run from another process meanwhile), and does not resume runs
 * (`medsafety run --resume` does).
 */
export async function evaluate(options: EvaluateOptions): Promise<EvaluateResult> {
  const { config, configPath, lineOf } = configOf(options);
  requireRunRoles(config, { file: configPath ?? "the config object", ...(lineOf === undefined ? {} : { lineOf }) });
  const storePath = resolve(options.store ?? config.store ?? DEFAULT_STORE_PATH);
  const opened = openStore(storePath);
  const stores = {
    db: opened.db,
    runs: new RunRepository(opened.db),
    items: new ItemRepository(opened.db),
    results: new ResultRepository(opened.db),
  };
  let run: BoundRun | undefined;
  let failure: unknown;
  try {
    run = bindRun(config, {
      env: options.env,
      store: storePath,
      ...(options.cache === false ? {} : { cache: new ResponseCacheRepository(opened.db) }),
      ...(configPath === undefined ? {} : { configPath }),
      ...(lineOf === undefined ? {} : { lineOf }),
    });
    const runId = newRunId();
    await recordRun(stores, run, runId, options.env);
    const ranAs = await executeBoundRun(stores, run, {
      runId,
      events: eventsOf(options.on),
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      resume: false,
      retryErrors: false,
      stopSignal: options.signal ?? new AbortController().signal,
      abortSignal: new AbortController().signal,
      now: options.now ?? (() => new Date()),
    });
    stores.results.flush();
    return { runId, storePath, ...checkRunEnd(stores, runId, config, ranAs) };
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    const bound = run?.bound;
    await closeAll(failure, [async () => bound?.close(), () => stores.results.flush(), () => opened.db.close()]);
  }
}

/** The validated config, from the file or the object, with what error messages need to point into the file. */
function configOf(options: EvaluateOptions): {
  config: Config;
  configPath?: string;
  lineOf?: (path: readonly (string | number)[]) => number | undefined;
} {
  if ((options.configPath === undefined) === (options.config === undefined))
    throw new InputError(
      "config_invalid",
      { file: options.configPath ?? "the evaluate() options" },
      "evaluate() needs exactly one of `configPath` and `config`",
      "Pass the path of a config file (`medsafety init` writes one) or the config object, not both",
    );
  if (options.configPath !== undefined) {
    const loaded = loadConfig(options.configPath);
    return { config: loaded.config, configPath: loaded.path, lineOf: loaded.lineOf };
  }
  const parsed = configSchema.safeParse(options.config);
  if (parsed.success) return { config: parsed.data };
  const issue = parsed.error.issues[0];
  const path = (issue?.path ?? []).map(String);
  const unknownKey = issue?.code === "unrecognized_keys" ? (issue.keys[0] ?? "") : undefined;
  const field = unknownKey === undefined ? path : [...path, unknownKey];
  throw new InputError(
    "config_invalid",
    { file: "the config object", ...(field.length === 0 ? {} : { field: field.join(".") }) },
    unknownKey === undefined ? (issue?.message ?? "invalid config") : `unknown key "${unknownKey}"`,
    unknownKey === undefined
      ? "Fix this value; `medsafety schema` describes every key"
      : "Remove it or check its spelling; `medsafety schema` lists every allowed key",
  );
}

function eventsOf(listeners: EvaluateOptions["on"]): RunEvents {
  const events = new RunEvents();
  if (listeners === undefined) return events;
  for (const name of Object.keys(listeners) as (keyof RunEventMap)[]) {
    const listener = listeners[name] as ((event: RunEventMap[typeof name]) => void) | undefined;
    if (listener !== undefined) events.on(name, listener);
  }
  return events;
}
