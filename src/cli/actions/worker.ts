import { hostname } from "node:os";
import { requirePostgresStore, runWorker } from "../../library/index.js";
import { listenForInterrupt } from "../interrupt.js";
import { storePath } from "../open-store.js";
import type { Output } from "../output.js";
import { queueOptions } from "../queue-options.js";

/** The options of `worker` (its registration: commands/worker.ts). */
export interface WorkerCommandOptions {
  store?: string;
  targets?: string;
  bind?: Record<string, string>;
  concurrency?: number;
  exitWhenIdle?: boolean;
}

/**
 * `medsafety worker`: works on a PostgreSQL store's queue until SIGINT/SIGTERM (or, with `--exit-when-idle`, until
 * nothing is left). The first signal stops fetching, lets calls in flight settle and be stored, hands unfinished jobs
 * back and exits 0; a second aborts the calls in flight.
 */
export async function workerCommand(options: WorkerCommandOptions, output: Output): Promise<number> {
  const store = storePath(options.store);
  requirePostgresStore(store);
  const interrupt = listenForInterrupt(output, "stored, then handing unfinished jobs back");
  try {
    const targets = options.targets
      ?.split(",")
      .map((target) => target.trim())
      .filter((target) => target !== "");
    const result = await runWorker({
      store,
      env: process.env,
      host: hostname(),
      pid: process.pid,
      bindings: {
        ...(targets === undefined ? {} : { targets }),
        ...(options.bind === undefined ? {} : { baseURLs: options.bind }),
      },
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      exit: options.exitWhenIdle === true ? "idle" : "never",
      signal: interrupt.stop,
      abortSignal: interrupt.abort,
      onNotice: (line) => output.err(`medsafety worker: ${line}`),
      ...queueOptions(),
    });
    const { completed, failed, handedBack } = result.tally;
    output.err(
      `medsafety worker: stopped: ${completed} conversations completed, ${failed} failed (queued again), ${handedBack} handed back`,
    );
    return 0;
  } finally {
    interrupt.dispose();
  }
}
