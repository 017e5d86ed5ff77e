import { isPostgresUrl } from "../core/index.js";
import {
  type BudgetSpec,
  type CallBudget,
  type CallBudgetSource,
  type WindowLimiter,
  windowBudget,
} from "../providers/index.js";

/**
 * The call budgets of a run's bindings (`requestsPerMinute`, `tokensPerMinute`), where the run's store is: in the
 * PostgreSQL store every worker process shares them (rate-limiter-flexible's RateLimiterPostgres, over a small `pg`
 * pool of its own, in the table {@link CALL_LIMITS_TABLE} that the library creates on first use: a few rows, one per
 * budget, rewritten in place); with a SQLite store the run is one process and they live in its memory
 * (RateLimiterMemory). rate-limiter-flexible and pg load on the first call that needs a budget, so binding models
 * (and `--help`) stays fast.
 *
 * The windows are counted with each machine's clock (rate-limiter-flexible stores `Date.now()` based expiry): keep
 * the workers' clocks synchronised (NTP), as any machine running a service is.
 */

/** The table of the shared budgets in the PostgreSQL store (not one of the store's migrated tables). */
export const CALL_LIMITS_TABLE = "medsafety_call_limits";

/** Connections the budgets of one process use at most (takes are short single statements). */
const POOL_SIZE = 4;

export interface CallBudgetsOptions {
  /** The table in the PostgreSQL store (default {@link CALL_LIMITS_TABLE}; tests use their own). */
  readonly tableName?: string;
}

/**
 * Budgets for the store at `location`: shared through PostgreSQL for a `postgres://` URL, in this process otherwise
 * (a SQLite path, or none). Close them after the models that use them.
 */
export function createCallBudgets(location: string | undefined, options: CallBudgetsOptions = {}): CallBudgetSource {
  if (location !== undefined && isPostgresUrl(location))
    return budgetSource("postgres", postgresLimiters(location, options.tableName ?? CALL_LIMITS_TABLE));
  return budgetSource("memory", memoryLimiters());
}

/** Makes the limiter of one budget spec, and frees what the limiters share. */
interface LimiterFactory {
  limiter(spec: BudgetSpec): Promise<WindowLimiter>;
  close(): Promise<void>;
}

function budgetSource(backend: "postgres" | "memory", factory: LimiterFactory): CallBudgetSource {
  const budgets = new Map<string, CallBudget>();
  return {
    backend,
    budget: (spec) => {
      const known = budgets.get(spec.key);
      if (known !== undefined) return known;
      const made = windowBudget(deferred(factory.limiter(spec)), spec);
      budgets.set(spec.key, made);
      return made;
    },
    close: () => factory.close(),
  };
}

/** A limiter that is still loading: each call waits for it (and fails with its loading error). */
function deferred(loading: Promise<WindowLimiter>): WindowLimiter {
  // Failures surface on the first use, as errors of that call; a budget never used must not crash the process.
  loading.catch(() => undefined);
  return {
    consume: async (key, points) => (await loading).consume(key, points),
    reward: async (key, points) => (await loading).reward(key, points),
    penalty: async (key, points) => (await loading).penalty(key, points),
  };
}

function limiterOptions(spec: BudgetSpec): { points: number; duration: number; keyPrefix: string } {
  return { points: spec.points, duration: spec.windowMs / 1000, keyPrefix: "medsafety" };
}

function memoryLimiters(): LimiterFactory {
  return {
    limiter: async (spec) => {
      const { RateLimiterMemory } = await import("rate-limiter-flexible");
      return new RateLimiterMemory(limiterOptions(spec));
    },
    close: async () => undefined,
  };
}

function postgresLimiters(url: string, tableName: string): LimiterFactory {
  let loading: ReturnType<typeof connect> | undefined;
  const connect = async () => {
    const [{ RateLimiterPostgres }, { default: pg }] = await Promise.all([
      import("rate-limiter-flexible"),
      import("pg"),
    ]);
    const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, application_name: "medsafety call limits" });
    // An idle connection the server ends (restart, admin) is replaced on the next query; without a listener it would
    // crash the process.
    pool.on("error", () => undefined);
    return { RateLimiterPostgres, pool };
  };
  /** Resolves once the table exists (the first limiter creates it; CREATE TABLE IF NOT EXISTS, race-safe). */
  let tableReady: Promise<void> | undefined;
  return {
    limiter: async (spec) => {
      loading ??= connect();
      const { RateLimiterPostgres, pool } = await loading;
      const options = {
        ...limiterOptions(spec),
        storeClient: pool,
        storeType: "pool",
        tableName,
        // Rows are one per budget, rewritten in place: nothing to sweep (the sweep's timer would outlive the pool).
        clearExpiredByTimeout: false,
      };
      if (tableReady === undefined) {
        let created: RateLimiterPostgresInstance | undefined;
        tableReady = new Promise<void>((resolve, reject) => {
          created = new RateLimiterPostgres({ ...options, tableCreated: false }, (error) =>
            error === undefined || error === null ? resolve() : reject(error),
          );
        });
        await tableReady;
        if (created !== undefined) return created;
      }
      await tableReady;
      return new RateLimiterPostgres({ ...options, tableCreated: true });
    },
    close: async () => {
      const { pool } = (await loading?.catch(() => undefined)) ?? {};
      await pool?.end();
    },
  };
}

type RateLimiterPostgresInstance = InstanceType<typeof import("rate-limiter-flexible").RateLimiterPostgres>;
