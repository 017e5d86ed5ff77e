import PgBoss from "pg-boss";
import { type ConversationJobData, conversationJobId, queueNameOf } from "./conversation-job.js";

/** A fetched job: its id, its queue and the conversation it stands for. */
export interface QueuedJob {
  readonly id: string;
  readonly queue: string;
  readonly data: ConversationJobData;
}

/** Runs one statement (pg-boss's SQL, `$n` parameters) on a connection the caller holds, synchronously. */
export type SqlExecutor = (text: string, values: readonly unknown[]) => { readonly rows: readonly unknown[] };

export interface WorkQueueOptions {
  /**
   * A job still active this many seconds after it was fetched (its worker died or hangs) goes back to the queue for
   * another worker. It must exceed the longest conversation. Default 900 (15 min); pg-boss allows up to 24 h.
   */
  readonly expireInSeconds?: number;
  /** PostgreSQL's `application_name` of the queue's connections. */
  readonly applicationName?: string;
  /** pg-boss's own failures (lost connection during maintenance...): they are not thrown anywhere else. */
  readonly onError?: (error: Error) => void;
}

export interface QueueCounts {
  /** Waiting to be fetched (pg-boss `created` and `retry`). */
  readonly queued: number;
  /** Fetched by a worker and not yet completed or handed back. */
  readonly active: number;
}

const DEFAULT_EXPIRE_SECONDS = 15 * 60;
/** A job that fails (a crashed handler, a worker gone) is delivered again: this many times at most. */
const RETRY_LIMIT = 1000;
/** Jobs wait this long for a worker before pg-boss archives them (a run may wait days for its GPUs). */
const RETENTION_MINUTES = 365 * 24 * 60;
/** pg-boss's id-list commands, in chunks of this many ids. */
const CHUNK = 1000;

/**
 * The durable work queue of the PostgreSQL store: pg-boss 10 in the store's database (its own schema `pgboss`), one
 * queue per (run, target), one job per conversation whose id is derived from the conversation's key. Delivery is
 * at least once: a job whose worker dies is delivered again after `expireInSeconds`, and a worker that stops hands
 * its jobs back at once; results are stored once because a redelivered conversation takes the runner's resume path.
 */
export class WorkQueue {
  private constructor(
    private readonly boss: PgBoss,
    private readonly expireInSeconds: number,
  ) {}

  /** Connects to the store's database and installs (or migrates) pg-boss's schema there, once for all workers. */
  static async start(url: string, options: WorkQueueOptions = {}): Promise<WorkQueue> {
    const expireInSeconds = options.expireInSeconds ?? DEFAULT_EXPIRE_SECONDS;
    const boss = new PgBoss({
      connectionString: url,
      application_name: options.applicationName ?? "medsafety queue",
      max: 4,
      schedule: false,
      // Expired jobs are found by pg-boss's maintenance: often enough that a dead worker's job waits little longer.
      maintenanceIntervalSeconds: Math.max(1, Math.min(120, Math.floor(expireInSeconds / 2))),
      expireInSeconds,
    });
    boss.on("error", (error: Error) => options.onError?.(error));
    await boss.start();
    return new WorkQueue(boss, expireInSeconds);
  }

  /** Stops maintenance and closes the connections; `graceful: false` does not wait for pg-boss's own work. */
  async stop(options: { readonly graceful?: boolean } = {}): Promise<void> {
    await this.boss.stop({ graceful: options.graceful ?? true, wait: true, close: true, timeout: 1000 });
  }

  /** Creates the queues of a run's targets (nothing for those that exist). Before its jobs are enqueued. */
  async prepareRun(runId: string, targetIds: readonly string[]): Promise<void> {
    for (const targetId of targetIds) {
      await this.boss.createQueue(queueNameOf(runId, targetId), {
        name: queueNameOf(runId, targetId),
        policy: "standard",
        retryLimit: RETRY_LIMIT,
        retryDelay: 0,
        expireInSeconds: this.expireInSeconds,
        retentionMinutes: RETENTION_MINUTES,
      });
    }
  }

  /**
   * Enqueues conversations inside a transaction the caller has open on its own connection (`execute` runs pg-boss's
   * insert there, synchronously), so the jobs exist if and only if that transaction commits. A conversation already
   * queued is left as it is. The run's queues must exist (`prepareRun`).
   */
  enqueueWithin(execute: SqlExecutor, jobs: readonly ConversationJobData[]): void {
    if (jobs.length === 0) return;
    let ran = false;
    let failure: { error: unknown } | undefined;
    const db = {
      executeSql: (text: string, values: unknown[]) => {
        ran = true;
        try {
          return Promise.resolve({ rows: [...execute(text, values).rows] });
        } catch (error) {
          failure = { error };
          return Promise.reject(error);
        }
      },
    };
    this.boss.insert(jobs.map(insertOf), { db }).catch(() => undefined);
    if (failure !== undefined) throw failure.error;
    if (!ran) throw new Error("pg-boss did not run its insert at once: the jobs cannot join the caller's transaction");
  }

  /** Enqueues conversations on the queue's own connection; those already queued are left as they are. */
  async enqueue(jobs: readonly ConversationJobData[]): Promise<void> {
    for (let start = 0; start < jobs.length; start += CHUNK)
      await this.boss.insert(jobs.slice(start, start + CHUNK).map(insertOf));
  }

  /**
   * Queues again every conversation not completed (`run --resume`): missing jobs are inserted, cancelled and failed
   * ones go back to the queue, and so do active ones: a resume takes the run over, and a job still active then was
   * most likely held by a worker that died (it would otherwise wait for its expiry, 15 min by default). A worker that
   * is in fact still on it finishes it, and the conversation's results are stored once. With `retryErrors`, the jobs
   * are replaced by ones that call stored errors again (even completed ones).
   */
  async requeue(jobs: readonly ConversationJobData[], options: { readonly retryErrors?: boolean } = {}): Promise<void> {
    for (const [queue, ofQueue] of groupByQueue(jobs)) {
      for (let start = 0; start < ofQueue.length; start += CHUNK) {
        const chunk = ofQueue.slice(start, start + CHUNK);
        const ids = chunk.map(conversationJobId);
        if (options.retryErrors === true) {
          await this.boss.deleteJob(queue, ids);
          await this.boss.insert(chunk.map((job) => insertOf({ ...job, retryErrors: true })));
          continue;
        }
        await this.boss.insert(chunk.map(insertOf));
        await this.boss.resume(queue, ids);
        await this.boss.retry(queue, ids);
        // Every job not yet ended (waiting: no change but its state, `retry`; active: back in the queue at once).
        await this.boss.fail(queue, ids);
      }
    }
  }

  /** Takes up to `count` jobs of `queue` (active from now until completed, handed back or expired). */
  async fetch(queue: string, count: number): Promise<QueuedJob[]> {
    const jobs = await this.boss.fetch<ConversationJobData>(queue, { batchSize: count });
    return jobs.map((job) => ({ id: job.id, queue, data: job.data }));
  }

  async complete(job: QueuedJob): Promise<void> {
    await this.boss.complete(job.queue, job.id);
  }

  /** The job failed (its handler crashed): it is delivered again. */
  async fail(job: QueuedJob, error: unknown): Promise<void> {
    await this.boss.fail(job.queue, job.id, { message: error instanceof Error ? error.message : String(error) });
  }

  /** Gives an unfinished job back (the worker stops): it can be fetched again at once. */
  async handBack(job: QueuedJob): Promise<void> {
    await this.boss.fail(job.queue, job.id, { message: "handed back by a stopping worker" });
  }

  /** Ends a job without running it again (its run was cancelled). */
  async cancel(job: QueuedJob): Promise<void> {
    await this.boss.cancel(job.queue, job.id);
  }

  /** Removes the run's waiting jobs (`runs cancel`); active ones end when their workers see the run cancelled. */
  async cancelRun(runId: string, targetIds: readonly string[]): Promise<void> {
    for (const targetId of targetIds) {
      const queue = queueNameOf(runId, targetId);
      if ((await this.boss.getQueue(queue)) !== null) await this.boss.purgeQueue(queue);
    }
  }

  /** Jobs waiting and active over `queues` (a queue that does not exist counts none). */
  async counts(queues: readonly string[]): Promise<QueueCounts> {
    let queued = 0;
    let active = 0;
    for (const queue of queues) {
      const waiting = await this.boss.getQueueSize(queue, { before: "active" });
      queued += waiting;
      active += (await this.boss.getQueueSize(queue, { before: "completed" })) - waiting;
    }
    return { queued, active };
  }

  /** A job's state (`created`, `retry`, `active`, `completed`, `cancelled`, `failed`), or undefined: for tests. */
  async stateOf(job: Pick<QueuedJob, "id" | "queue">): Promise<string | undefined> {
    const found = await this.boss.getJobById(job.queue, job.id);
    return found === null ? undefined : found.state;
  }

  /** Sends active jobs past their expiry back to the queue now (pg-boss's maintenance does it on its interval). */
  async expire(): Promise<void> {
    await this.boss.expire();
  }
}

function insertOf(job: ConversationJobData): PgBoss.JobInsert<ConversationJobData> {
  return { id: conversationJobId(job), name: queueNameOf(job.runId, job.targetId), data: job };
}

function groupByQueue(jobs: readonly ConversationJobData[]): Map<string, ConversationJobData[]> {
  const byQueue = new Map<string, ConversationJobData[]>();
  for (const job of jobs) {
    const queue = queueNameOf(job.runId, job.targetId);
    const list = byQueue.get(queue) ?? [];
    list.push(job);
    byQueue.set(queue, list);
  }
  return byQueue;
}
